"""The North Korean annotated sentences (``corpus/annotations``) as technique examples, split like the corpus."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ..errors import CorpusError
from ..io import atomic_write
from .examples import SENTENCE, SPAN, Example, count_repeats, span_context
from .ptc import SPLITS


def load_nk(
    data_dir: str | Path,
    annotations_dir: str | Path = "corpus/annotations",
    *,
    seed: int = 13,
    test_fraction: float = 0.15,
    validation_fraction: float = 0.15,
    context_chars: int = 600,
) -> dict[str, dict[str, list[Example]]]:
    """NK gold (else pass-1) annotations joined with the KCNA/Rodong texts, split by article.

    The split is the corpus builder's (``assign_split`` over the article text's SHA-256), so it
    agrees with ``build_corpus``. Sentence labels are the record's ``techniques`` plus the
    techniques of its spans, as in the corpus; unannotated records are skipped.

    Returns:
        ``{split: {"sentence": [Example...], "span": [Example...]}}`` for train/validation/test.

    Raises:
        CorpusError: when there is no annotation file, or a record's article is missing.
    """
    from ..corpus.builder import assign_split, nk_annotation_file, nk_articles, sha256_text

    path = nk_annotation_file(annotations_dir)
    if path is None:
        raise CorpusError(f"{annotations_dir}: no nk.gold.jsonl or nk.pass1.jsonl")
    articles = nk_articles(data_dir)
    fractions = (1.0 - test_fraction - validation_fraction, validation_fraction, test_fraction)
    out: dict[str, dict[str, list[Example]]] = {s: {SENTENCE: [], SPAN: []} for s in SPLITS}
    seen_spans: dict[str, set] = defaultdict(set)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("techniques") is None:
            continue
        art = articles.get((r["dataset"], r["article_id"]))
        if art is None:
            raise CorpusError(f"{path}:{n}: article {r['dataset']}/{r['article_id']} not in {data_dir}")
        split = assign_split(sha256_text(art.text), seed, fractions)
        spans = r.get("spans") or []
        labels = tuple(sorted(set(r["techniques"]) | {s["technique"] for s in spans}))
        text = art.text[r["start"] : r["end"]]
        out[split][SENTENCE].append(Example(text, None, labels, art.id, r["start"], r["end"]))
        for s in spans:
            key = (art.id, s["technique"], s["start"], s["end"])
            if key in seen_spans[split]:
                continue
            seen_spans[split].add(key)
            span_text = art.text[s["start"] : s["end"]]
            out[split][SPAN].append(
                Example(
                    span_text,
                    span_context(art.text, s["start"], s["end"], context_chars),
                    (s["technique"],),
                    art.id,
                    s["start"],
                    s["end"],
                    count_repeats(art.text, span_text),
                )
            )
    return out


def write_nk_examples(
    data_dir: str | Path,
    output: str | Path,
    mode: str = SENTENCE,
    split: str = "train",
    annotations_dir: str | Path = "corpus/annotations",
    context_chars: int = 600,
) -> int:
    """Write one split of the NK examples as JSONL, the format ``data.extra_train`` reads.

    Returns:
        The number of examples written.
    """
    examples = load_nk(data_dir, annotations_dir, context_chars=context_chars)[split][mode]
    with atomic_write(output) as f:
        for ex in examples:
            f.write(json.dumps(ex.to_dict(), ensure_ascii=False) + "\n")
    return len(examples)
