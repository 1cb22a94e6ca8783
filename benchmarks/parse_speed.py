"""spaCy parsing speed and output: propwatch's fast setup against spaCy's stock one.

Usage:
    python benchmarks/parse_speed.py [--data-dir ../shared/data] [--kcna 500] [--ptc 100]

Parses the body paragraphs of the first N KCNA 2024 stories and M PTC articles with both setups
(`load_nlp(fast=False)`: thinc's blis, spaCy's matcher-based attribute ruler and lemmatizer;
`load_nlp()`: numpy's BLAS, table attribute ruler and lemmatizer), one thread each, twice each in
turn (the second round is reported, warm), and prints sentences per second, the speed-up and how
many tokens differ in tag, POS, morphology, lemma, dependency, head or sentence start (expected: 0).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from pipeline.ingest import read_jsonl, read_ptc
from pipeline.records import Article
from pipeline.segment.nlp import PARSE_EXCLUDE, load_nlp
from pipeline.segment.sentences import body_units

ATTRS = ["TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "SENT_START"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--kcna", type=int, default=500)
    ap.add_argument("--ptc", type=int, default=100)
    args = ap.parse_args()
    data = Path(args.data_dir)
    kcna = data / "kcna-2024" / "kcna_en_2023-12_2024-11_fulltext.jsonl"
    articles = [a for a in read_jsonl(str(kcna)) if isinstance(a, Article)][: args.kcna]
    articles += [read_ptc(str(f)) for f in sorted((data / "ptc" / "train-articles").glob("article*.txt"))[: args.ptc]]
    texts = [a.text[u.start : u.end] for a in articles for u in body_units(a)]
    print(f"input: {args.kcna} KCNA stories + {args.ptc} PTC articles, {len(texts):,} paragraphs")
    setups = {"stock": load_nlp(exclude=PARSE_EXCLUDE, fast=False), "fast": load_nlp(exclude=PARSE_EXCLUDE)}
    secs, docs = {}, {}
    with threadpool_limits(1):
        for _round in range(2):
            for name, nlp in setups.items():
                t0 = time.perf_counter()
                docs[name] = list(nlp.pipe(texts, batch_size=256))
                secs[name] = time.perf_counter() - t0
    n_sent = sum(len(list(d.sents)) for d in docs["stock"])
    n_tok = sum(len(d) for d in docs["stock"])
    for name in setups:
        pipes = "+".join(setups[name].pipe_names)
        print(f"{name:5s} ({pipes}): {secs[name]:.1f} s, {n_sent / secs[name]:.0f} sentences/s")
    print(f"speed-up: {secs['stock'] / secs['fast']:.2f}x")
    diff = dict.fromkeys(ATTRS, 0)
    for a, b in zip(docs["stock"], docs["fast"]):
        x, y = a.to_array(ATTRS), b.to_array(ATTRS)
        for j, attr in enumerate(ATTRS):
            diff[attr] += int((x[:, j] != y[:, j]).sum())
    print(f"tokens: {n_tok:,}; differing per attribute: {diff}")


if __name__ == "__main__":
    main()
