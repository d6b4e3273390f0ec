// The reader's remembered choices (language, theme, threshold) in localStorage. Storage can be
// unavailable (privacy modes, file://): the page then works with defaults and forgets on reload.
const PREFIX = 'stance-lens:';

export const settings = {
  get(key) {
    try {
      return localStorage.getItem(PREFIX + key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(PREFIX + key, String(value));
    } catch {
      // Not remembered; nothing else to do.
    }
  },
};
