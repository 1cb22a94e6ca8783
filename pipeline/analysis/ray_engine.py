"""The Ray engine of ``propwatch analyze``: the same per-article function as Ray Data ``map_batches``.

Each Ray actor loads the models once; results come back in input order (``preserve_order``) and
are written by the same code as the local engine, so the output files are identical.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..errors import InputError
from ..records import Article
from .core import ArticleResult


class RayAnalyzer:
    """A Ray Data callable class: constructed once per actor, then called on batches of articles."""

    def __init__(self, settings):
        import torch

        from .core import load_resources

        torch.set_num_threads(1)
        self.res = load_resources(settings.model_dir, settings.voice_model_dir, settings.threshold)

    def __call__(self, batch: dict) -> dict:
        from .runner import _safe_analyze

        out = []
        for raw in batch["article"]:
            article = Article.from_dict(json.loads(raw))
            r = _safe_analyze(article, self.res)
            if isinstance(r, InputError):
                out.append(json.dumps({"error": [r.path, r.problem]}))
            else:
                out.append(json.dumps({"sentences": r.sentences, "summary": r.summary}))
        return {"result": out}


def ray_results(items: Iterator, settings, workers: int, address: str | None) -> Iterator[ArticleResult | InputError]:
    """Analyse ``items`` (Articles and InputErrors, in input order) on Ray; yields in the same order.

    The input articles are held in Ray's object store for the run (a few hundred bytes of
    bookkeeping plus the text per article); results stream back one batch at a time.
    """
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray", "Ray is not installed; pip install 'propwatch[ray]'") from None

    if not ray.is_initialized():
        ray.init(
            address=address,
            num_cpus=None if address else workers,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    items = list(items)
    articles = [x for x in items if isinstance(x, Article)]
    results: Iterator = iter(())
    if articles:
        ds = ray.data.from_items([{"article": json.dumps(a.to_dict(), ensure_ascii=False)} for a in articles])
        mapped = ds.map_batches(
            RayAnalyzer,
            fn_constructor_kwargs={"settings": settings},
            batch_size=8,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
        )
        results = (row["result"] for row in mapped.iter_rows())
    by_id = {a.id: a for a in articles}
    for x in items:
        if isinstance(x, InputError):
            yield x
            continue
        data = json.loads(next(results))
        if "error" in data:
            yield InputError(*data["error"])
        else:
            yield ArticleResult(by_id[data["summary"]["article_id"]], data["sentences"], data["summary"])
