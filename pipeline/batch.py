"""Batch jobs over many inputs: read, process each article, record failures, write atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .ingest.readers import iter_articles
from .io import atomic_write, dumps
from .records import Article


@dataclass
class BatchResult:
    """What a batch run did: counts, and one entry per input that failed."""

    articles: int = 0
    sentences: int = 0
    errors: list[InputError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def process_articles(
    inputs: Iterable[str],
    process: Callable[[Article], list[dict]],
    result: BatchResult,
) -> Iterator[list[dict]]:
    """Yield ``process(article)`` for each readable article; failures go to ``result.errors``."""
    for item in iter_articles(inputs):
        if isinstance(item, InputError):
            result.errors.append(item)
            continue
        try:
            rows = process(item)
        except InputError as e:
            result.errors.append(e)
            continue
        except Exception as e:  # noqa: BLE001 - one bad article must not stop the batch
            result.errors.append(InputError(item.source_path or item.id, f"processing failed: {e!r}"))
            continue
        result.articles += 1
        result.sentences += len(rows)
        yield rows


def write_jsonl_batch(
    inputs: Iterable[str],
    out: str | Path,
    process: Callable[[Article], list[dict]],
) -> BatchResult:
    """Run ``process`` over every article of ``inputs`` and write all rows to ``out`` atomically."""
    result = BatchResult()
    with atomic_write(out) as f:
        for rows in process_articles(inputs, process, result):
            f.write("".join(dumps(r) + "\n" for r in rows))
    return result


def segment_files(inputs: Iterable[str], out: str | Path, nlp=None) -> BatchResult:
    """``propwatch segment``: one JSON object per sentence of every input article."""
    from .segment import load_nlp, segment_article
    from .segment.nlp import SEGMENT_EXCLUDE

    nlp = nlp or load_nlp(exclude=SEGMENT_EXCLUDE)

    def rows(article: Article) -> list[dict]:
        return [s.to_dict() for s in segment_article(article, nlp)]

    return write_jsonl_batch(inputs, out, rows)
