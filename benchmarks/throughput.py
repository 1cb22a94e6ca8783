"""End-to-end throughput of ``propwatch analyze`` against spaCy parsing alone, and peak memory.

Usage:
    python benchmarks/throughput.py [--data-dir ../shared/data] [--n 500] [--model DIR ...]
        [--workers 1 2] [--engines local ray]

Prints, on the first N KCNA 2024 stories: spaCy parse time of the same text on one core (the floor,
in propwatch's fast setup and in spaCy's stock one; ratios are to the fast one), then for
each technique model and worker count the sentences per second of the whole pipeline (read,
segment, voice, techniques, write; each in a new process, start-up included) and the ratio to the
spaCy-only time, and peak RSS.
Target (issue 7): at least 300 sentences/s end to end with the baseline on 2 cores; --workers 2
faster than 1.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from pipeline.ingest import read_jsonl
from pipeline.records import Article
from pipeline.segment import load_nlp
from pipeline.segment.nlp import PARSE_EXCLUDE
from pipeline.segment.sentences import body_units


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


# Each run is a new Python process, as `propwatch analyze` is: imports, model loading and (for Ray)
# the cluster start count, and nothing is warm from the floor measurement above.
_CHILD = """
import json, sys
from pipeline.analysis import run_analyze
r = run_analyze([sys.argv[1]], sys.argv[2], model_dir=sys.argv[3], workers=int(sys.argv[4]), engine=sys.argv[5],
                progress=False, report=False)
print(json.dumps({"articles": r.articles, "sentences": r.sentences, "errors": len(r.errors)}))
"""


def _analyze_fresh(inp: Path, out: Path, model: str, workers: int, engine: str) -> dict:
    args = [sys.executable, "-c", _CHILD, str(inp), str(out), model, str(workers), engine]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"analyze failed ({engine}, {model}, {workers} workers):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--model", nargs="*", default=["models/tfidf_linear_sentence_nk", "models/transformer_sentence"])
    ap.add_argument("--workers", nargs="*", type=int, default=[1, 2])
    ap.add_argument("--engines", nargs="*", default=["local"], help="local and/or ray (a local Ray instance)")
    args = ap.parse_args()

    src = Path(args.data_dir) / "kcna-2024" / "kcna_en_2023-12_2024-11_fulltext.jsonl"
    articles = [a for a in read_jsonl(str(src)) if isinstance(a, Article)][: args.n]
    tmp = Path(tempfile.mkdtemp(prefix="pw-throughput-"))
    inp = tmp / "kcna.jsonl"
    inp.write_text("".join(json.dumps({"id": a.id, "text": a.text}) + "\n" for a in articles), encoding="utf-8")

    texts = [a.text[u.start : u.end] for a in articles for u in body_units(a)]
    print(f"input: {len(articles)} KCNA stories, {sum(len(a.text) for a in articles):,} characters")
    # The floor: spaCy alone on the same paragraphs, one core, in propwatch's setup and in spaCy's stock one.
    for fast in (True, False):
        nlp = load_nlp(exclude=PARSE_EXCLUDE, fast=fast)
        with threadpool_limits(1):
            t0 = time.perf_counter()
            n_sent = sum(len(list(doc.sents)) for doc in nlp.pipe(texts, batch_size=64))
            secs = time.perf_counter() - t0
        if fast:
            spacy_s = secs
        print(
            f"spaCy parse only ({'+'.join(nlp.pipe_names)}, {'fast' if fast else 'stock'} setup, 1 thread): "
            f"{secs:.1f} s, {n_sent / secs:.0f} sentences/s"
        )
    sys.stdout.flush()
    for engine in args.engines:
        for model in args.model:
            for workers in args.workers:
                out = tmp / f"out-{engine}-{Path(model).name}-{workers}"
                t0 = time.perf_counter()
                result = _analyze_fresh(inp, out, model, workers, engine)
                secs = time.perf_counter() - t0
                print(
                    f"analyze engine={engine} model={model} workers={workers}: {secs:.1f} s, "
                    f"{result['sentences'] / secs:.0f} sentences/s, {result['articles'] / secs:.1f} articles/s, "
                    f"{secs / spacy_s:.2f}x spaCy-only time, errors={result['errors']}"
                )
                sys.stdout.flush()
    print(f"peak RSS (this process or any worker): {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
