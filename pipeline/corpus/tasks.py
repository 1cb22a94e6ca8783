"""Annotation tasks: sample -> task files with text for annotators; answer files -> SCHEMA.md records.

Task files hold third-party text and are written under ``out/`` (never committed). Answers are typed
as substrings of the sentence; :func:`answers_to_records` turns them into article offsets, so the
committed records refer to the text only by data set, id, checksum and offsets.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import CorpusError
from ..ingest import read_text
from ..io import atomic_write
from ..labels import technique_labels, voice_labels
from ..records import Article
from .sampling import NK_DATASETS, load_nk_articles, read_sample, sha256

# How far an attribution (speaker, cue, nested speaker) is looked for around the sentence: the
# previous paragraph's "a source said" or the last sentence of a multi-sentence quote.
LOOKUP_SENTENCES = 3
CONTEXT_CHARS = 300
DEFAULT_SEED_DIR = Path(__file__).resolve().parents[2] / "corpus" / "seed"
OUTLETS = {"kcna-2024": "KCNA", "rodong-2021": "Rodong Sinmun"}


def task_id(record: dict) -> str:
    """The id of a sentence task: ``<dataset>:<article_id>:<start>``."""
    return f"{record['dataset']}:{record['article_id']}:{record['start']}"


def load_articles(
    records: Iterable[dict], data_dir: str | Path, seed_dir: str | Path = DEFAULT_SEED_DIR
) -> dict[tuple[str, str], Article]:
    """The articles the records refer to, keyed by ``(dataset, article_id)``, checksums verified.

    Raises:
        CorpusError: An article is missing from the data directory, or its text no longer has the
            checksum recorded for it.
    """
    records = list(records)
    wanted = {(r["dataset"], r["article_id"]): r["article_sha256"] for r in records}
    found: dict[tuple[str, str], Article] = {}
    for ds in {d for d, _ in wanted}:
        if ds == "seed":
            for path in sorted(Path(seed_dir).glob("*.txt")):
                art = read_text(str(path))
                found[("seed", art.id)] = art
        elif ds in NK_DATASETS:
            found.update(((ds, a.id), a) for a in load_nk_articles(data_dir, ds))
        else:
            raise CorpusError(f"unknown data set {ds!r} in the sample")
    out = {}
    for key, digest in wanted.items():
        art = found.get(key)
        if art is None:
            raise CorpusError(f"{key[0]}:{key[1]}: article not found in {data_dir if key[0] != 'seed' else seed_dir}")
        if sha256(art.text) != digest:
            raise CorpusError(f"{key[0]}:{key[1]}: article text no longer matches its sha256 (data changed?)")
        out[key] = art
    return out


def _group(records: list[dict]) -> dict[tuple[str, str], list[dict]]:
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        groups.setdefault((r["dataset"], r["article_id"]), []).append(r)
    for sents in groups.values():
        sents.sort(key=lambda r: r["start"])
    return groups


def make_tasks(records: list[dict], articles: dict[tuple[str, str], Article]) -> list[dict]:
    """One task per sample record, with its text and the text around it, grouped by article.

    Raises:
        CorpusError: A record's offsets do not address text with its ``sentence_sha256``.
    """
    tasks = []
    for key, sents in _group(records).items():
        art = articles[key]
        for i, r in enumerate(sents):
            text = art.text[r["start"] : r["end"]]
            if sha256(text) != r["sentence_sha256"]:
                raise CorpusError(f"{task_id(r)}: offsets no longer address the sampled sentence")
            before_start = sents[max(0, i - 2)]["start"] if i > 0 else max(0, r["start"] - CONTEXT_CHARS)
            after_end = sents[i + 1]["end"] if i + 1 < len(sents) else min(len(art.text), r["end"] + CONTEXT_CHARS)
            tasks.append(
                {
                    "task_id": task_id(r),
                    "dataset": r["dataset"],
                    "article_id": r["article_id"],
                    "start": r["start"],
                    "end": r["end"],
                    "text": text,
                    "context_before": art.text[before_start : r["start"]],
                    "context_after": art.text[r["end"] : after_end],
                    "outlet": art.outlet or OUTLETS.get(r["dataset"]),
                }
            )
    return tasks


def split_batches(tasks: list[dict], n_batches: int) -> list[list[dict]]:
    """Split tasks into ``n_batches`` of nearly equal size, never splitting an article.

    Articles go, largest first, to the batch with fewest sentences so far; inside a batch they keep
    the sample's order.
    """
    if n_batches < 1:
        raise CorpusError(f"n_batches must be at least 1, got {n_batches}")
    order: dict[tuple[str, str], int] = {}
    groups: dict[tuple[str, str], list[dict]] = {}
    for t in tasks:
        key = (t["dataset"], t["article_id"])
        order.setdefault(key, len(order))
        groups.setdefault(key, []).append(t)
    sizes = [0] * n_batches
    members: list[list[tuple[str, str]]] = [[] for _ in range(n_batches)]
    for key in sorted(groups, key=lambda k: (-len(groups[k]), order[k])):
        b = sizes.index(min(sizes))
        members[b].append(key)
        sizes[b] += len(groups[key])
    return [[t for key in sorted(m, key=order.__getitem__) for t in groups[key]] for m in members]


def write_tasks(path: str | Path, tasks: Iterable[dict]) -> None:
    """Write task (or record) dicts as JSONL, atomically."""
    text = "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks)
    with atomic_write(path) as f:
        f.write(text)


def write_task_batches(
    sample_path: str | Path,
    data_dir: str | Path,
    out_dir: str | Path,
    n_batches: int = 2,
    seed_dir: str | Path = DEFAULT_SEED_DIR,
) -> list[Path]:
    """Write annotator task files ``out_dir/batch_<k>.jsonl`` (k from 1), whole articles each.

    Args:
        sample_path: A sample file from :func:`pipeline.corpus.sampling.write_sample`.
        data_dir: The data directory the sample was drawn from.
        out_dir: Where the batch files go (under ``out/``: they contain third-party text).
        n_batches: Number of batch files.
        seed_dir: Folder of the seed article, for samples of the ``seed`` data set.

    Returns:
        The paths written, in batch order.
    """
    records = read_sample(sample_path)
    tasks = make_tasks(records, load_articles(records, data_dir, seed_dir))
    paths = []
    for k, batch in enumerate(split_batches(tasks, n_batches), 1):
        path = Path(out_dir) / f"batch_{k}.jsonl"
        write_tasks(path, batch)
        paths.append(path)
    return paths


def second_pass_tasks(batches: list[list[dict]], min_sentences: int = 320, seed: int = 7) -> list[dict]:
    """Whole articles drawn in turn from each batch until at least ``min_sentences`` tasks.

    Articles are drawn at random (seeded) and alternately from the batches, so the subset covers
    every first-pass annotator's share; the result keeps each batch's article order.
    """
    rng = random.Random(seed)
    pools = []
    for batch in batches:
        groups: dict[tuple[str, str], list[dict]] = {}
        for t in batch:
            groups.setdefault((t["dataset"], t["article_id"]), []).append(t)
        keys = list(groups)
        rng.shuffle(keys)
        pools.append((groups, keys))
    chosen: set[tuple[str, str]] = set()
    total = 0
    while total < min_sentences and any(keys for _, keys in pools):
        for groups, keys in pools:
            if keys and total < min_sentences:
                key = keys.pop()
                chosen.add(key)
                total += len(groups[key])
    return [t for batch in batches for t in batch if (t["dataset"], t["article_id"]) in chosen]


def read_tasks(path: str | Path) -> list[dict]:
    """Read a task file written by :func:`write_task_batches`."""
    return read_sample(path)


# --- answers -> records -------------------------------------------------------------------------


def _find(text: str, sub: str, occurrence: int, tid: str, what: str) -> int:
    pos = -1
    for _ in range(occurrence + 1):
        pos = text.find(sub, pos + 1)
        if pos < 0:
            raise CorpusError(
                f"task {tid}: {what} {sub!r} (occurrence {occurrence}) not found in the sentence; "
                "copy it exactly from the sentence text"
            )
    return pos


def _find_word(text: str, sub: str, start: int, end: int) -> int:
    """First occurrence of ``sub`` in ``text[start:end]`` as a whole word, else as a substring.

    Whole words first, so that the speaker "he" is not found inside "the" or "When"; the substring
    fallback keeps KCNA's run-together names ("Kim Jong Untold") findable.
    """
    m = re.compile(r"(?<!\w)" + re.escape(sub) + r"(?!\w)").search(text, start, end)
    if m:
        return m.start()
    pos = text.find(sub, start, end)
    return pos if pos >= 0 and pos + len(sub) <= end else -1


def _lookup(
    sub: str | None,
    i: int,
    sents: list[dict],
    text: str,
    tid: str,
    what: str,
    at: int | None = None,
    first: int | None = None,
) -> tuple[dict[str, int] | None, int | None]:
    """Offsets of ``sub`` near sentence ``i`` and the index of the sentence it was found in.

    Search order: sentence ``i + at`` only when ``at`` is given; else sentence ``first`` (where the
    speaker was found, so a cue is taken beside its speaker), sentence ``i``, then sentences by
    distance up to ``LOOKUP_SENTENCES`` (the one before ahead of the one after at equal distance).
    """
    if sub is None or sub == "":
        return None, None
    if not isinstance(sub, str):
        raise CorpusError(f"task {tid}: {what} must be a string or null, got {sub!r}")
    if at is not None:
        if not isinstance(at, int) or not 0 <= i + at < len(sents):
            raise CorpusError(f"task {tid}: {what} position {at!r} points outside the article's sample")
        order = [i + at]
    else:
        order = [first] if first is not None else []
        order.append(i)
        for d in range(1, LOOKUP_SENTENCES + 1):
            order += [j for j in (i - d, i + d) if 0 <= j < len(sents)]
    for j in order:
        s = sents[j]
        pos = _find_word(text, sub, s["start"], s["end"])
        if pos >= 0:
            return {"start": pos, "end": pos + len(sub)}, j
    where = f"sentence {at:+d} from it" if at is not None else f"the sentence nor the {LOOKUP_SENTENCES} around it"
    raise CorpusError(f"task {tid}: {what} {sub!r} not found in {where}; copy it exactly from the text")


def answer_to_record(answer: dict, i: int, sents: list[dict], article: Article, annotator: str) -> dict:
    """Convert one answer about sentence ``sents[i]`` of ``article`` into a SCHEMA.md record.

    Raises:
        CorpusError: A label is unknown or a substring is not found; the message names the task.
    """
    r = sents[i]
    tid = task_id(r)
    sentence = article.text[r["start"] : r["end"]]
    voices, techs = voice_labels(), technique_labels()
    voice = answer.get("voice")
    if voice not in voices:
        raise CorpusError(f"task {tid}: unknown voice {voice!r}; expected one of {', '.join(voices)}")
    labels = answer.get("techniques") or []
    if not isinstance(labels, list):
        raise CorpusError(f"task {tid}: 'techniques' must be a list")
    spans = []
    for sp in answer.get("spans") or []:
        if not isinstance(sp, dict) or not isinstance(sp.get("text"), str) or not sp["text"]:
            raise CorpusError(f"task {tid}: each span needs a non-empty 'text' and a 'technique', got {sp!r}")
        tech = sp.get("technique")
        if tech not in techs:
            raise CorpusError(f"task {tid}: unknown technique {tech!r} in a span")
        occurrence = sp.get("occurrence", 0)
        if not isinstance(occurrence, int) or occurrence < 0:
            raise CorpusError(f"task {tid}: span 'occurrence' must be an integer >= 0, got {occurrence!r}")
        pos = _find(sentence, sp["text"], occurrence, tid, f"{tech} span")
        start = r["start"] + pos
        spans.append({"technique": tech, "start": start, "end": start + len(sp["text"])})
    for tech in labels:
        if tech not in techs:
            raise CorpusError(f"task {tid}: unknown technique {tech!r} in 'techniques'")
    present = set(labels) | {s["technique"] for s in spans}
    speaker, where = _lookup(
        answer.get("speaker_text"), i, sents, article.text, tid, "speaker_text", answer.get("speaker_at")
    )
    cue, _ = _lookup(answer.get("cue_text"), i, sents, article.text, tid, "cue_text", answer.get("cue_at"), where)
    nested, _ = _lookup(
        answer.get("nested_speaker_text"),
        i,
        sents,
        article.text,
        tid,
        "nested_speaker_text",
        answer.get("nested_speaker_at"),
    )
    return {
        "dataset": r["dataset"],
        "article_id": r["article_id"],
        "article_sha256": r["article_sha256"],
        "start": r["start"],
        "end": r["end"],
        "sentence_sha256": r["sentence_sha256"],
        "voice": voice,
        "speaker": speaker,
        "cue": cue,
        "nested_speaker": nested,
        "techniques": [t for t in techs if t in present],
        "spans": sorted(spans, key=lambda s: (s["start"], s["end"], s["technique"])),
        "annotator": annotator,
    }


def answers_to_records(
    answers_path: str | Path,
    sample_path: str | Path,
    data_dir: str | Path,
    annotator: str,
    seed_dir: str | Path = DEFAULT_SEED_DIR,
    require_all: bool = False,
) -> list[dict]:
    """Turn an annotator's answer file into SCHEMA.md records with article offsets.

    Each answer line is ``{"task_id", "voice", "speaker_text", "cue_text", "nested_speaker_text",
    "techniques": [...], "spans": [{"technique", "text", "occurrence"?}]}`` (the format in
    ``corpus/GUIDELINES.md``). Span texts are found in the sentence (``occurrence`` k, 0-based, when the
    text occurs more than once); speaker, cue and nested speaker in the sentence, then in the 3
    sentences before and after it, nearest first (the one before wins a tie); a cue is looked for
    first in the sentence where the speaker was found. ``speaker_at`` / ``cue_at`` /
    ``nested_speaker_at`` (relative sentence position, e.g. -1) force where to look.

    Args:
        answers_path: The annotator's JSONL answers.
        sample_path: The sample the tasks were made from (e.g. ``corpus/annotations/nk.sample.jsonl``).
        data_dir: The data directory holding the texts.
        annotator: Annotator id written into every record (e.g. ``"a1"``).
        seed_dir: Folder of the seed article, for the ``seed`` data set.
        require_all: Also fail when some sample sentence has no answer.

    Returns:
        Records in sample order (only answered sentences unless ``require_all``).

    Raises:
        CorpusError: An answer names an unknown task or label, repeats a task, or gives a substring
            that is not in the text; the message names the task.
    """
    records = read_sample(sample_path)
    articles = load_articles(records, data_dir, seed_dir)
    groups = _group(records)
    where = {task_id(r): (key, i) for key, sents in groups.items() for i, r in enumerate(sents)}
    answers: dict[str, dict] = {}
    for n, ans in enumerate(read_sample(answers_path), 1):
        tid = ans.get("task_id")
        if tid not in where:
            raise CorpusError(f"{answers_path}:{n}: task {tid!r} is not in the sample {sample_path}")
        if tid in answers:
            raise CorpusError(f"{answers_path}:{n}: task {tid} answered twice")
        answers[tid] = ans
    missing = [tid for tid in where if tid not in answers]
    if require_all and missing:
        raise CorpusError(f"{answers_path}: {len(missing)} sample sentences have no answer, e.g. task {missing[0]}")
    out = []
    for key, sents in groups.items():
        for i, r in enumerate(sents):
            ans = answers.get(task_id(r))
            if ans is not None:
                out.append(answer_to_record(ans, i, sents, articles[key], annotator))
    return out
