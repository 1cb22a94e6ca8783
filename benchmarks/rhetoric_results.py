"""Technique-classifier results on held-out data: PTC test articles (TC and sentences) and the NK test split.

Usage:
    python benchmarks/rhetoric_results.py [--data-dir DIR] [--model DIR ...] [--json OUT]

Each model is evaluated on the test articles of its own config's split (the corpus split by
default, so every model sees the same held-out PTC articles). Span-mode models report SemEval TC
micro-F1 and per-technique F1; sentence-mode models report sentence micro/macro F1 and "any
technique" F1 (per-label thresholds tuned on validation). Where ``corpus/annotations`` has NK
annotations, the same metrics are printed on the NK test split (spans for span models,
sentences for sentence models).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.errors import PropwatchError  # noqa: E402
from pipeline.rhetoric import load_model  # noqa: E402
from pipeline.rhetoric.nk import load_nk  # noqa: E402
from pipeline.rhetoric.ptc import load_ptc, split_ids  # noqa: E402
from pipeline.rhetoric.train import evaluate, examples_for, load_train_config  # noqa: E402

DEFAULT_MODELS = [
    "models/tfidf_linear",
    "models/transformer",
    "models/tfidf_linear_sentence",
    "models/tfidf_linear_sentence_nk",
    "models/transformer_sentence",
]


def tc_table(tc: dict) -> list[str]:
    lines = [f"  TC micro-F1 {tc['micro']['f1']:.3f}  ({tc['n_gold']} gold spans)", "  per technique:"]
    for lab, s in sorted(tc["per_label"].items(), key=lambda kv: -kv[1]["support"]):
        lines.append(
            f"    {lab:<38} F1 {s['f1']:.3f}  P {s['precision']:.3f}  R {s['recall']:.3f}  n={int(s['support'])}"
        )
    return lines


def sentence_lines(s: dict) -> list[str]:
    lines = [
        f"  sentences {s['n']}: micro-F1 {s['micro']['f1']:.3f}  macro-F1 {s['macro_f1']:.3f}  "
        f"any-technique F1 {s['any_technique']['f1']:.3f} "
        f"(P {s['any_technique']['precision']:.3f} R {s['any_technique']['recall']:.3f})",
        "  per technique:",
    ]
    for lab, v in sorted(s["per_label"].items(), key=lambda kv: -kv[1]["support"]):
        lines.append(f"    {lab:<38} F1 {v['f1']:.3f}  n={int(v['support'])}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("PROPWATCH_DATA_DIR", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--model", nargs="*", default=None, help="Model folders (default: the shipped ones).")
    ap.add_argument("--annotations", default=str(ROOT / "corpus" / "annotations"))
    ap.add_argument("--json", default=None, help="Also write all scores as JSON here.")
    args = ap.parse_args(argv)

    folders = args.model or [str(ROOT / m) for m in DEFAULT_MODELS if (ROOT / m / "meta.json").exists()]
    ptc = load_ptc(args.data_dir)
    results = {}
    for folder in folders:
        model = load_model(folder)
        cfg = load_train_config(Path(folder) / "config.toml")
        d = cfg.data
        ids = split_ids(d.split, ptc.articles, d.split_seed, d.test_fraction, d.validation_fraction)
        test = examples_for(ptc, ids["test"], d.mode, d.context_chars)
        t0 = time.time()
        scores = {"ptc_test": evaluate(model, test, d.mode)}
        try:
            nk = load_nk(args.data_dir, args.annotations, context_chars=d.context_chars)
            scores["nk_test"] = evaluate(model, nk["test"][d.mode], d.mode)
        except PropwatchError as e:  # the NK split is optional: say why it is missing and go on
            print(f"(NK test split not available: {e})")
        seconds = time.time() - t0
        results[folder] = scores
        where = f"split {d.split}: {len(ids['test'])} test articles"
        print(f"\n== {folder}  [{model.registry_name}, {d.mode} mode, {where}]")
        for name, sc in scores.items():
            print(f" {name}:")
            if not sc:
                print("  (no examples)")
            elif "tc" in sc:
                print("\n".join(tc_table(sc["tc"])))
            else:
                print("\n".join(sentence_lines(sc["sentence"])))
        print(f"  ({seconds:.1f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
