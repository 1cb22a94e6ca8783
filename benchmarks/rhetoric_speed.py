"""Inference speed of the technique classifiers in sentences per second (targets: baseline 2,000/s, transformer 150/s).

Usage:
    python benchmarks/rhetoric_speed.py [--data-dir DIR] [--baseline DIR] [--transformer DIR]
                                        [--n-baseline N] [--n-transformer N] [--threads T]

Sentences are the lines of held-out PTC articles, classified as sentences (no context), in one
call per model after a warm-up. For the transformer, bfloat16 autocast is timed too and reported
together with whether its decisions (labels above threshold, and top label) equal float32's; it
is only worth enabling where they do.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.rhetoric import load_model  # noqa: E402
from pipeline.rhetoric.examples import Example, line_sentences  # noqa: E402
from pipeline.rhetoric.ptc import load_ptc, split_ids  # noqa: E402


def sentences(data_dir: str, n: int) -> list[Example]:
    ptc = load_ptc(data_dir)
    ids = split_ids("corpus.v1", ptc.articles, 13, 0.15, 0.15)
    out = [Example(s.text) for aid in ids["test"] + ids["validation"] for s in line_sentences(ptc.articles[aid])]
    while len(out) < n:
        out = out + out
    return out[:n]


def timed(model, examples: list[Example]) -> tuple[float, np.ndarray]:
    model.predict_proba(examples[:32])  # warm-up: lazy imports, allocator, kernels
    t0 = time.perf_counter()
    proba = model.predict_proba(examples)
    return len(examples) / (time.perf_counter() - t0), proba


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("PROPWATCH_DATA_DIR", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--baseline", default=str(ROOT / "models" / "tfidf_linear_sentence_nk"))
    ap.add_argument("--transformer", default=str(ROOT / "models" / "transformer_sentence"))
    ap.add_argument("--n-baseline", type=int, default=5000)
    ap.add_argument("--n-transformer", type=int, default=1000)
    ap.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, 2],
        help="Torch thread counts to time the transformer with (on a busy 2-core machine 1 is often faster).",
    )
    ap.add_argument("--batch", type=int, default=32, help="Transformer inference batch size.")
    args = ap.parse_args(argv)

    if Path(args.baseline, "meta.json").exists():
        ex = sentences(args.data_dir, args.n_baseline)
        rate, _ = timed(load_model(args.baseline), ex)
        print(f"baseline    {args.baseline}: {rate:,.0f} sentences/s on {len(ex)} sentences (target >= 2,000)")
    else:
        print(f"baseline    {args.baseline}: no model folder")
    if Path(args.transformer, "meta.json").exists():
        ex = sentences(args.data_dir, args.n_transformer)
        model = load_model(args.transformer)
        model.eval_batch_size = args.batch
        for threads in args.threads:
            model.num_threads = threads
            model.bf16_inference = False
            rate32, p32 = timed(model, ex)
            model.bf16_inference = True
            rate16, p16 = timed(model, ex)
            d32, d16 = model.decide(p32), model.decide(p16)
            agree = np.mean([a == b for a, b in zip(d32, d16)])
            same_top = bool(np.array_equal(p32.argmax(1), p16.argmax(1)))
            print(
                f"transformer {args.transformer}: {threads} thread(s), batch {args.batch}: float32 {rate32:,.0f} "
                f"sentences/s, bf16 autocast {rate16:,.0f} sentences/s on {len(ex)} sentences (target >= 150)"
            )
            print(
                f"  bf16 decisions identical to float32: {d32 == d16} ({agree:.1%} of sentences), "
                f"top label {same_top}; max |p32 - p16| {np.abs(p32 - p16).max():.4f}"
            )
    else:
        print(f"transformer {args.transformer}: no model folder")
    return 0


if __name__ == "__main__":
    sys.exit(main())
