#!/usr/bin/env python3
"""Training comparison for `./build.sh bench`: scikit-learn and fastText on the split that
`stance export --data model/corpus --out DIR` wrote.

    python benches/train_compare.py DIR [--repeats N]

scikit-learn's LogisticRegression (lbfgs, multinomial) fits the very matrix linfa fits: the CSR
arrays in DIR are the rows `Vocabulary::vectorize` gives training, f32, read bit for bit. Same
objective: linfa minimises sum(loss) + alpha/2 ||W||^2 and scikit-learn C * sum(loss) + 1/2 ||W||^2,
so C = 1 / alpha (neither penalises the intercept). Same iteration cap; scikit-learn's own
tolerance (its gradient is of the mean loss, so the two stopping rules are not the same number).

fastText (PyPI `fasttext-wheel`) trains on the same paragraphs (train.txt / test.txt, its
`__label__` format), lower-cased with punctuation split off as its documentation does, with word
bigrams and character 3- to 5-grams like the project's featurizer.

Prints one JSON object; a tool that is missing gives null figures and a note.
"""

import json
import os
import re
import statistics
import sys
import time

import numpy as np
import scipy.sparse as sp


def load_csr(d, name, cols):
    data = np.load(os.path.join(d, f"{name}_data.npy"))
    indices = np.load(os.path.join(d, f"{name}_indices.npy"))
    indptr = np.load(os.path.join(d, f"{name}_indptr.npy"))
    return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, cols))


def macro_f1(y_true, y_pred):
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, average="macro"))


def sklearn_fit(d, meta, repeats):
    import sklearn
    from sklearn.linear_model import LogisticRegression

    cols = meta["cols"]
    x_train, x_test = load_csr(d, "train", cols), load_csr(d, "test", cols)
    y_train = np.load(os.path.join(d, "train_y.npy"))
    y_test = np.load(os.path.join(d, "test_y.npy"))

    def make():
        return LogisticRegression(
            C=1.0 / meta["alpha"], solver="lbfgs", max_iter=meta["max_iterations"]
        )

    out = {"sklearn_version": sklearn.__version__}
    times, model = [], None
    for _ in range(repeats):
        model = make()
        t = time.perf_counter()
        model.fit(x_train, y_train)
        times.append(time.perf_counter() - t)
    out["train_s_sklearn_runs"] = times
    out["train_s_sklearn"] = statistics.median(times)
    out["sklearn_iterations"] = int(np.max(model.n_iter_))
    out["macro_f1_sklearn"] = macro_f1(y_test, model.predict(x_test))
    # The same fit on the dense form of the matrix, linfa's representation (one run: it is slow).
    dense = x_train.toarray()
    model = make()
    t = time.perf_counter()
    model.fit(dense, y_train)
    out["train_s_sklearn_dense"] = time.perf_counter() - t
    out["macro_f1_sklearn_dense"] = macro_f1(y_test, model.predict(x_test.toarray()))
    return out


PUNCT = re.compile(r"([.!?,'’/()«»\"“”:;])")


def ft_text(line):
    label, _, text = line.partition(" ")
    return label, PUNCT.sub(r" \1 ", text.lower())


def fasttext_fit(d, repeats):
    try:
        import fasttext
    except ImportError as e:
        return {"fasttext_note": f"fastText not installed: {e}"}
    tmp = os.path.join(d, "fasttext")
    os.makedirs(tmp, exist_ok=True)
    rows = {}
    for name in ("train", "test"):
        with open(os.path.join(d, f"{name}.txt"), encoding="utf-8") as f:
            rows[name] = [ft_text(l.rstrip("\n")) for l in f if l.strip()]
        with open(os.path.join(tmp, f"{name}.txt"), "w", encoding="utf-8") as f:
            f.writelines(f"{lab} {txt}\n" for lab, txt in rows[name])
    params = dict(epoch=25, lr=0.5, wordNgrams=2, minn=3, maxn=5, dim=50, thread=1, seed=1, verbose=0)
    times, model = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        model = fasttext.train_supervised(input=os.path.join(tmp, "train.txt"), **params)
        times.append(time.perf_counter() - t)
    texts = [txt for _, txt in rows["test"]]
    truth = [lab for lab, _ in rows["test"]]
    t = time.perf_counter()
    # model.predict() breaks under NumPy 2 (np.array(copy=False)); the C++ call it wraps does not.
    labels, _ = model.f.multilinePredict(texts, 1, 0.0, "strict")
    preds = [l[0] for l in labels]
    pred_s = time.perf_counter() - t
    return {
        "fasttext_params": params,
        "train_s_fasttext_runs": times,
        "train_s_fasttext": statistics.median(times),
        "fasttext_predictions_per_s": len(texts) / pred_s,
        "macro_f1_fasttext": macro_f1(truth, preds),
    }


def main():
    d = sys.argv[1]
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 3
    with open(os.path.join(d, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    out = sklearn_fit(d, meta, repeats)
    # One fastText fit: it is the slowest of the three and its figure is a reference point only.
    out.update(fasttext_fit(d, 1))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
