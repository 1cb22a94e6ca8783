"""Time segmenting all PTC train articles with spaCy, and report peak memory.

Usage: python benchmarks/segment_ptc.py [--data-dir ../shared/data] [--limit N]
Target (issue 2): all 371 articles in under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from pipeline.ingest import read_ptc
from pipeline.segment import load_nlp, segment_article
from pipeline.segment.nlp import SEGMENT_EXCLUDE


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    files = sorted((Path(args.data_dir) / "ptc" / "train-articles").glob("article*.txt"))[: args.limit]
    t0 = time.perf_counter()
    nlp = load_nlp(exclude=SEGMENT_EXCLUDE)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    n_sent = n_chars = 0
    for f in files:
        art = read_ptc(str(f))
        sents = segment_article(art, nlp)
        n_sent += len(sents)
        n_chars += len(art.text)
    elapsed = time.perf_counter() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {len(files)}  sentences: {n_sent}  characters: {n_chars:,}")
    print(f"model load: {t_load:.1f} s")
    print(f"segmentation: {elapsed:.1f} s  ({n_sent / elapsed:.0f} sentences/s, {len(files) / elapsed:.1f} articles/s)")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    print(f"target < 60 s: {'met' if elapsed < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
