"""Checks that every annotation record still addresses its text and label set, and that splits do not leak."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..labels import technique_labels, voice_labels
from ..records import Article
from .builder import (
    NK_DATASETS,
    AnnotationLine,
    iter_annotation_file,
    nk_articles,
    seed_articles,
    sha256_text,
)

# Files checked, in the order reported; nk.sample.jsonl has no labels but the same anchors.
ANNOTATION_FILES = (
    "seed.gold.jsonl",
    "nk.sample.jsonl",
    "nk.pass1.jsonl",
    "nk.pass2.jsonl",
    "nk.gold.jsonl",
    "nk.adjudication.jsonl",
)
_SPAN_FIELDS = ("speaker", "cue", "nested_speaker")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the corpus: where, which record, what, and how to fix it."""

    file: str
    line: int | None
    record: str
    problem: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.record}: {self.problem}; fix: {self.fix}"


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_labels(ln: AnnotationLine, rec: dict, start: int, end: int, text: str) -> list[Problem]:
    out = []

    def bad(problem: str, fix: str) -> None:
        out.append(Problem(ln.path, ln.line, ln.describe(), problem, fix))

    voices = voice_labels()
    techs = technique_labels()
    voice = rec.get("voice")
    if voice is not None and voice not in voices:
        bad(f"unknown voice label {voice!r}", f"use one of {', '.join(voices)} (corpus/labels/voice.txt)")
    names = rec.get("techniques")
    if names is not None:
        if not isinstance(names, list):
            bad("'techniques' is not a list", "write a JSON list of technique names, [] for none")
            names = []
        for t in names:
            if t not in techs:
                bad(f"unknown technique {t!r}", "use a name from corpus/labels/techniques.txt, spelled exactly")
        if len(set(map(str, names))) != len(names):
            bad("a technique is listed twice", "list each technique once")
    spans = rec.get("spans")
    if spans is not None and not isinstance(spans, list):
        bad("'spans' is not a list", "write a JSON list of {technique, start, end} objects")
        spans = []
    for i, sp in enumerate(spans or []):
        if not isinstance(sp, dict) or not _is_int(sp.get("start")) or not _is_int(sp.get("end")):
            bad(f"span #{i} lacks integer start/end", 'write spans as {"technique", "start", "end"}')
            continue
        tech = sp.get("technique")
        if tech not in techs:
            bad(f"span #{i} has unknown technique {tech!r}", "use a name from corpus/labels/techniques.txt")
        elif names is not None and tech not in names:
            bad(
                f"span #{i} technique {tech} is missing from the sentence's techniques",
                "add it to 'techniques' (every span technique is a sentence technique)",
            )
        if not (start <= sp["start"] < sp["end"] <= end):
            bad(
                f"span #{i} {sp['start']}-{sp['end']} is not inside the sentence {start}-{end}",
                "correct the span offsets (article offsets, end exclusive)",
            )
    for key in _SPAN_FIELDS:
        val = rec.get(key)
        if val is None:
            continue
        if not isinstance(val, dict) or not _is_int(val.get("start")) or not _is_int(val.get("end")):
            bad(f"'{key}' is not null or {{start, end}}", f'write \'{key}\' as {{"start": s, "end": e}} or null')
        elif not (0 <= val["start"] < val["end"] <= len(text)):
            bad(
                f"'{key}' {val['start']}-{val['end']} is outside the article (length {len(text)})",
                f"correct the '{key}' offsets",
            )
    return out


def check_annotation_lines(
    lines: Sequence[AnnotationLine], articles: dict[tuple[str, str], Article], *, labels: bool = True
) -> tuple[list[AnnotationLine], list[Problem]]:
    """Check records against their article texts and the label sets.

    Args:
        lines: Records read from one annotation file.
        articles: Texts by ``(dataset, article_id)``.
        labels: Also check voice/technique/span fields (off for files without labels).

    Returns:
        ``(good, problems)``: the records without any problem, and one Problem per finding.
    """
    good, problems = [], []
    seen: dict[tuple, int] = {}
    ranges: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for ln in lines:
        rec = ln.record
        found: list[Problem] = []

        def bad(problem: str, fix: str, ln: AnnotationLine = ln, found: list = found) -> None:
            found.append(Problem(ln.path, ln.line, ln.describe(), problem, fix))

        missing = [
            k for k in ("dataset", "article_id", "article_sha256", "start", "end", "sentence_sha256") if k not in rec
        ]
        if missing:
            bad(f"missing field(s) {', '.join(missing)}", "see corpus/annotations/SCHEMA.md for the record format")
            problems.extend(found)
            continue
        dataset, aid, start, end = rec["dataset"], rec["article_id"], rec["start"], rec["end"]
        art = articles.get((str(dataset), str(aid)))
        if dataset not in ("seed", *NK_DATASETS):
            bad(f"unknown dataset {dataset!r}", f"use one of seed, {', '.join(NK_DATASETS)}")
        elif art is None:
            bad(
                "article not found in the data directory",
                "check dataset and article_id (kcna_id(link) / rodong_id(url) / seed file stem) and --data-dir",
            )
        elif not (_is_int(start) and _is_int(end) and 0 <= start < end <= len(art.text)):
            bad(
                f"offsets {start}-{end} are not a span of the article (length {len(art.text)})",
                "correct start/end (character offsets, end exclusive)",
            )
        else:
            if rec["article_sha256"] != sha256_text(art.text):
                bad(
                    "article_sha256 does not match the article text (the text changed)",
                    "restore the data file this was annotated on, or re-anchor and re-check the record",
                )
            if rec["sentence_sha256"] != sha256_text(art.text[start:end]):
                bad(
                    f"offsets {start}-{end} do not address the annotated sentence (sentence_sha256 differs); "
                    f"they now cover {art.text[start:end][:50]!r}",
                    "correct start/end so that text[start:end] is the annotated sentence",
                )
            if labels:
                found.extend(_check_labels(ln, rec, start, end, art.text))
            key = (dataset, aid, start, end)
            if key in seen:
                bad(f"duplicate record (first at line {seen[key]})", "keep one record per sentence")
            else:
                seen[key] = ln.line
                for s, e, other in ranges[(dataset, aid)]:
                    if s < end and e > start and (s, e) != (start, end):
                        bad(
                            f"overlaps the sentence {s}-{e} of line {other}",
                            "sentences of one article must not overlap; use segment_article boundaries",
                        )
                        break
                ranges[(dataset, aid)].append((start, end, ln.line))
        problems.extend(found)
        if not found:
            good.append(ln)
    return good, problems


def check_boundaries(
    lines: Sequence[AnnotationLine],
    articles: dict[tuple[str, str], Article],
    nlp,
    *,
    complete: bool = False,
    path: str | None = None,
) -> list[Problem]:
    """Records whose sentence is not a ``segment_article`` sentence; with ``complete``, unannotated sentences.

    Args:
        complete: Every body sentence of every referenced article must have a record (the seed
            article is annotated in full).
        path: The file name for problems about missing sentences.
    """
    from ..segment import segment_article

    by_article: dict[tuple[str, str], list[AnnotationLine]] = defaultdict(list)
    for ln in lines:
        by_article[(str(ln.record.get("dataset")), str(ln.record.get("article_id")))].append(ln)
    problems = []
    for key, group in by_article.items():
        art = articles.get(key)
        if art is None:
            continue
        sents = segment_article(art, nlp)
        spans = {(s.start, s.end) for s in sents}
        for ln in group:
            if (ln.record.get("start"), ln.record.get("end")) not in spans:
                problems.append(
                    Problem(
                        ln.path,
                        ln.line,
                        ln.describe(),
                        "not a sentence of pipeline.segment.segment_article",
                        "use the segmenter's boundaries (re-run the sampling script), or report the segmentation error",
                    )
                )
        if complete:
            have = {(ln.record.get("start"), ln.record.get("end")) for ln in group}
            for s in sents:
                if (s.start, s.end) not in have:
                    problems.append(
                        Problem(
                            path or group[0].path,
                            None,
                            f"{key[0]}/{key[1]} {s.start}-{s.end}",
                            f"sentence {s.index} {s.text[:50]!r} has no annotation record",
                            "annotate every sentence of the article",
                        )
                    )
    return problems


def check_splits(corpus, lines: Iterable[AnnotationLine] = ()) -> list[Problem]:
    """Articles (by id, and by text checksum) that occur in more than one split of a built corpus.

    Args:
        corpus: A DatasetDict of :func:`~pipeline.corpus.builder.build_corpus`.
        lines: Annotation records, so a problem can name the file and line of the article.
    """
    where: dict[tuple[str, str], AnnotationLine] = {}
    for ln in lines:
        where.setdefault((str(ln.record.get("dataset")), str(ln.record.get("article_id"))), ln)
    by_id: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    by_sha: dict[str, set[str]] = defaultdict(set)
    ids_of_sha: dict[str, set[str]] = defaultdict(set)
    for split, ds in corpus.items():
        cols = ds.select_columns(["source", "dataset", "article_id", "article_sha256"])
        for r in cols:
            by_id[(r["source"], r["dataset"], r["article_id"])].add(split)
            by_sha[r["article_sha256"]].add(split)
            ids_of_sha[r["article_sha256"]].add(f"{r['dataset']}/{r['article_id']}")
    problems = []
    fix = (
        "rebuild with `propwatch corpus build` (the split is a function of the article text, so a "
        "leak means a stale cache or a bug in the builder)"
    )
    for (source, dataset, aid), splits in sorted(by_id.items()):
        if len(splits) > 1:
            ln = where.get((dataset, aid))
            problems.append(
                Problem(
                    ln.path if ln else "built corpus",
                    ln.line if ln else None,
                    f"{dataset}/{aid}",
                    f"{source} article is in splits {', '.join(sorted(splits))}",
                    fix,
                )
            )
    for sha, splits in sorted(by_sha.items()):
        ids = sorted(ids_of_sha[sha])
        if len(splits) > 1 and len(ids) > 1:
            problems.append(
                Problem(
                    "built corpus",
                    None,
                    ", ".join(ids),
                    f"the same text under {len(ids)} ids is in splits {', '.join(sorted(splits))}",
                    fix,
                )
            )
    return problems


def _cross_file_problems(files: dict[str, list[AnnotationLine]]) -> list[Problem]:
    """Gold covers pass 1; pass 2 and adjudications refer to pass-1 sentences."""
    problems = []
    keys = {name: {ln.key for ln in lines} for name, lines in files.items()}
    if "nk.pass1.jsonl" in files:
        p1 = keys["nk.pass1.jsonl"]
        for name in ("nk.pass2.jsonl", "nk.adjudication.jsonl"):
            for ln in files.get(name, []):
                if ln.key not in p1:
                    problems.append(
                        Problem(
                            ln.path,
                            ln.line,
                            ln.describe(),
                            "sentence is not in nk.pass1.jsonl",
                            "refer to a sentence of pass 1 (same dataset, article_id, start, end)",
                        )
                    )
        if "nk.gold.jsonl" in files:
            gold = keys["nk.gold.jsonl"]
            for ln in files["nk.pass1.jsonl"]:
                if ln.key not in gold:
                    problems.append(
                        Problem(
                            ln.path,
                            ln.line,
                            ln.describe(),
                            "pass-1 sentence is missing from nk.gold.jsonl",
                            "copy it into the gold file (adjudicated where the passes disagree)",
                        )
                    )
    return problems


def validate_corpus(
    annotations_dir: str | Path = "corpus/annotations",
    data_dir: str | Path = "../shared/data",
    seed_dir: str | Path = "corpus/seed",
    *,
    corpus=None,
    nlp=None,
    check_segmentation: bool = True,
    split_sources: Sequence[str] = ("nk", "seed"),
    cache_dir: str | Path | None = None,
    seed: int = 13,
) -> list[Problem]:
    """Check every annotation file of ``annotations_dir`` and the splits of the built corpus.

    Args:
        annotations_dir: Folder with the files of :data:`ANNOTATION_FILES` (missing files are fine).
        data_dir: Data directory with ``kcna-2024/`` and ``rodong-2021/``.
        seed_dir: Folder with the seed article.
        corpus: A built DatasetDict to check for split leaks; when None, the ``split_sources``
            are built (non-strict, cached in ``cache_dir``) and checked.
        nlp: spaCy pipeline for the boundary checks; default: the builder's.
        check_segmentation: Check that records are ``segment_article`` sentences and that the
            seed article is annotated completely.

    Returns:
        Problems, in file order; empty when the corpus is sound.
    """
    from ..segment import load_nlp
    from ..segment.nlp import SEGMENT_EXCLUDE
    from .builder import build_corpus

    adir = Path(annotations_dir)
    problems: list[Problem] = []
    files: dict[str, list[AnnotationLine]] = {}
    nk_texts: dict | None = None
    seed_texts = None
    if check_segmentation:
        nlp = nlp or load_nlp(exclude=SEGMENT_EXCLUDE)
    for name in ANNOTATION_FILES:
        path = adir / name
        if not path.is_file():
            continue
        lines = []
        for n, obj, err in iter_annotation_file(path):
            if err:
                problems.append(Problem(str(path), n, "?", err, "write one JSON object per line"))
            else:
                lines.append(AnnotationLine(str(path), n, obj))
        if name.startswith("seed"):
            seed_texts = seed_texts if seed_texts is not None else seed_articles(seed_dir)
            texts = seed_texts
        else:
            nk_texts = nk_texts if nk_texts is not None else nk_articles(data_dir)
            texts = nk_texts
        if name == "nk.adjudication.jsonl":
            problems.extend(_check_adjudications(lines, texts))
        else:
            good, found = check_annotation_lines(lines, texts, labels=name != "nk.sample.jsonl")
            problems.extend(found)
            if check_segmentation:
                problems.extend(check_boundaries(good, texts, nlp, complete=name == "seed.gold.jsonl", path=str(path)))
        files[name] = lines
    problems.extend(_cross_file_problems(files))
    if corpus is None and split_sources:
        corpus = build_corpus(
            data_dir, adir, seed_dir, seed, sources=tuple(split_sources), cache_dir=cache_dir, nlp=nlp, strict=False
        )
    if corpus is not None:
        problems.extend(check_splits(corpus, [ln for lines in files.values() for ln in lines]))
    return problems


def _check_adjudications(lines: Sequence[AnnotationLine], texts: dict) -> list[Problem]:
    """Adjudication lines: the sentence exists, and the decision's labels are known."""
    problems = []
    for ln in lines:
        rec = ln.record
        if not all(k in rec for k in ("dataset", "article_id", "start", "end")):
            problems.append(
                Problem(
                    ln.path,
                    ln.line,
                    ln.describe(),
                    "missing dataset/article_id/start/end",
                    "name the sentence the decision is about",
                )
            )
            continue
        art = texts.get((str(rec["dataset"]), str(rec["article_id"])))
        if art is None:
            problems.append(
                Problem(
                    ln.path,
                    ln.line,
                    ln.describe(),
                    "article not found in the data directory",
                    "check dataset and article_id",
                )
            )
            continue
        decision = rec.get("decision")
        if not isinstance(decision, dict):
            problems.append(
                Problem(
                    ln.path,
                    ln.line,
                    ln.describe(),
                    "no 'decision' object",
                    "write the adjudicated fields under 'decision'",
                )
            )
            continue
        s, e = rec["start"], rec["end"]
        if _is_int(s) and _is_int(e) and 0 <= s < e <= len(art.text):
            problems.extend(_check_labels(ln, decision, s, e, art.text))
    return problems
