"""Voice attribution on PolNeAR dev and the seed article: accuracy, F1, MCC, speaker F1, speed.

Usage: python benchmarks/voice_polnear.py [--data-dir ../shared/data] [--model models/voice-attribution]
                                          [--limit N]

Prints, on PolNeAR dev (84 articles; never used for training or choices):
  - sentence-level "carries attributed content" (the sentence overlaps a gold Content span):
    accuracy, macro-F1 over both classes and Matthews correlation, for the rules alone and for
    rules + the learned model (and the constant "always attributed" guess for reference);
  - speaker spans against the gold Source spans, character level (spaces not counted);
  - on the seed article, voice accuracy against corpus/annotations/seed.gold.jsonl;
  - throughput in sentences/s, and the voice stage's time as a share of spaCy parse time, measured
    in the same run (each paragraph is parsed once; the time inside spaCy is counted separately).
Targets (issue 4): seed voices all correct; dev macro-F1 >= 0.80; speaker char F1 >= 0.65; the voice
stage adds at most 30% to spaCy's parse time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fmt(m: dict) -> str:
    return (
        f"accuracy {m['accuracy']:.3f}  macro-F1 {m['macro_f1']:.3f}  MCC {m['mcc']:.3f}  "
        f"F1(attributed) {m['f1_attributed']:.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--model", default=str(ROOT / "models" / "voice-attribution"))
    ap.add_argument("--limit", type=int, default=None, help="only the first N dev articles")
    args = ap.parse_args()

    from pipeline.ingest import read_text
    from pipeline.segment import load_nlp
    from pipeline.voice import load_model
    from pipeline.voice.evaluate import binary_metrics, evaluate_polnear, read_gold_voices, voice_accuracy
    from pipeline.voice.polnear import load_split

    nlp = load_nlp()  # the pipeline `propwatch voice` uses
    model = load_model(args.model) if Path(args.model).is_dir() else None
    print(f"model: {args.model if model is not None else 'none found: rules only'}")
    docs = load_split(args.data_dir, "dev", limit=args.limit)
    nlp("warm up the pipeline.")
    t0 = time.perf_counter()
    ev = evaluate_polnear(docs, nlp, model)
    wall = time.perf_counter() - t0
    print(f"PolNeAR dev: {len(docs)} articles, {ev.sentences} sentences, {ev.rules['positive_rate']:.1%} attributed")
    n_pos = round(ev.rules["positive_rate"] * ev.sentences)
    always = binary_metrics([1] * n_pos + [0] * (ev.sentences - n_pos), [1] * ev.sentences)
    print(f"  always 'attributed':  {_fmt(always)}")
    print(f"  rules:                {_fmt(ev.rules)}")
    if model is not None:
        print(f"  rules + model:        {_fmt(ev.combined)}   (threshold {model.threshold})")
    sr = ev.speaker_rules
    print(
        f"speaker spans, character level: rules        P {sr['precision']:.3f}  R {sr['recall']:.3f}  F1 {sr['f1']:.3f}"
    )
    if model is not None:
        sc = ev.speaker_combined
        print(
            f"speaker spans, character level: rules + model P {sc['precision']:.3f}  R {sc['recall']:.3f}  "
            f"F1 {sc['f1']:.3f}   (threshold {model.speaker_threshold})"
        )
    voice_total = ev.voice_seconds
    print(
        f"speed: {ev.sentences / (ev.parse_seconds + voice_total):.0f} sentences/s end to end "
        f"(spaCy parse {ev.parse_seconds:.1f} s, voice stage {voice_total:.1f} s, wall {wall:.1f} s); "
        f"voice stage alone {ev.sentences / max(voice_total, 1e-9):.0f} sentences/s"
    )
    ratio = voice_total / ev.parse_seconds if ev.parse_seconds else float("nan")
    print(f"voice stage / spaCy parse time: {ratio:.1%}  (target <= 30%)")

    seed_path = ROOT / "corpus" / "seed" / "dailynk-2025-04-04-empty-promises.txt"
    gold_path = ROOT / "corpus" / "annotations" / "seed.gold.jsonl"
    if not gold_path.exists():
        print(f"seed: skipped, {gold_path.relative_to(ROOT)} does not exist yet")
        return
    from pipeline.voice import analyse_article, voices_from_analysis

    article = read_text(str(seed_path))
    analysis = analyse_article(article, nlp)
    for name, m in (("rules", None), ("rules + model", model)):
        if name != "rules" and model is None:
            continue
        res = voices_from_analysis(analysis, m)
        acc = voice_accuracy(read_gold_voices(gold_path), analysis.sentences, res)
        print(f"seed voice accuracy ({name}): {acc['matched']}/{acc['n']} = {acc['accuracy']:.3f}")
        for idx, gold, pred, text in acc["errors"]:
            print(f"    sentence {idx}: gold {gold}, predicted {pred}: {text}")


if __name__ == "__main__":
    main()
