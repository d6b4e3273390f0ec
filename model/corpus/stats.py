#!/usr/bin/env python3
"""Prints the composition tables of model/corpus/README.md from the corpus files.

Usage: python3 model/corpus/stats.py > /tmp/tables.md   (then paste into README.md)
"""
import collections
import glob
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
rows = []
for f in sorted(glob.glob(os.path.join(here, '*.jsonl'))):
    for line in open(f, encoding='utf-8'):
        if line.strip():
            o = json.loads(line)
            o['file'] = os.path.basename(f)
            rows.append(o)

LABELS = ['pro_moscow', 'pro_washington', 'neutral']


def table(key, title):
    keys = sorted({r[key] for r in rows})
    print(f'\n### {title}\n')
    print(f'| {key} | ' + ' | '.join(f'{lab} fr | {lab} en' for lab in LABELS) + ' | total |')
    print('|---|' + '---|' * (2 * len(LABELS) + 1))
    c = collections.Counter((r[key], r['label'], r['lang']) for r in rows)
    for k in keys:
        cells = [c[(k, lab, lang)] for lab in LABELS for lang in ('fr', 'en')]
        print(f'| {k} | ' + ' | '.join(str(x) for x in cells) + f' | {sum(cells)} |')
    tot = [sum(c[(k, lab, lang)] for k in keys) for lab in LABELS for lang in ('fr', 'en')]
    print('| **total** | ' + ' | '.join(str(x) for x in tot) + f' | {sum(tot)} |')


def lengths():
    print('\n### Length in words (median / 10th / 90th percentile)\n')
    print('| label | fr | en |')
    print('|---|---|---|')
    for lab in LABELS:
        cells = []
        for lang in ('fr', 'en'):
            v = sorted(len(r['text'].split()) for r in rows if r['label'] == lab and r['lang'] == lang)
            cells.append(f'{v[len(v) // 2]} / {v[len(v) // 10]} / {v[9 * len(v) // 10]}')
        print(f'| {lab} | ' + ' | '.join(cells) + ' |')


print(f'{len(rows)} paragraphs, {len({r["doc"] for r in rows if "doc" in r})} whole articles.')
table('file', 'By file')
table('topic', 'By topic')
table('genre', 'By genre')
lengths()
