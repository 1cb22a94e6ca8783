"""Tables for analysis notebooks: technique profiles by group, distinctive phrases, corpus summaries.

Everything a notebook shows is computed here, so notebooks stay thin and the logic is tested.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..labels import technique_labels, voice_labels


def read_sentences(outdir: str | Path) -> pd.DataFrame:
    """``sentences.jsonl`` of an analysis run as a DataFrame, with one 0/1 column per technique."""
    df = pd.read_json(Path(outdir) / "sentences.jsonl", lines=True)
    return with_technique_columns(df)


def read_articles(outdir: str | Path) -> pd.DataFrame:
    """``articles.jsonl`` of an analysis run as a DataFrame."""
    return pd.read_json(Path(outdir) / "articles.jsonl", lines=True)


def with_technique_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Add a 0/1 column per technique from the ``techniques`` list of ``{label, score}``."""
    df = df.copy()
    for t in technique_labels():
        df[t] = df["techniques"].map(lambda ts, t=t: int(any(x["label"] == t for x in ts or [])))
    df["any_technique"] = (df[list(technique_labels())].sum(axis=1) > 0).astype(int)
    return df


def technique_profile(df: pd.DataFrame, by: str | list[str], normalise: bool = True) -> pd.DataFrame:
    """Share (or count) of sentences carrying each technique, per group.

    Args:
        df: Sentences with one 0/1 column per technique (:func:`with_technique_columns`).
        by: Column(s) to group by, e.g. ``"voice"``, ``"topic"``, ``"month"``.
        normalise: Shares of the group's sentences; counts otherwise.

    Returns:
        One row per group, one column per technique, plus ``sentences``.
    """
    cols = list(technique_labels())
    g = df.groupby(by)[cols]
    out = g.mean() if normalise else g.sum()
    out.insert(0, "sentences", df.groupby(by).size())
    return out


def distinctive_phrases(
    texts: Iterable[str], flags: Iterable[int], k: int = 10, ngram_range: tuple[int, int] = (1, 3), min_df: int = 3
) -> pd.DataFrame:
    """Phrases most over-represented in flagged sentences (e.g. those carrying one technique).

    Ranked by the smoothed log-odds ratio of the phrase in flagged versus other sentences, a
    standard measure of distinctive vocabulary that does not favour merely frequent words.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    texts, y = list(texts), np.asarray(list(flags), dtype=bool)
    if y.sum() == 0 or (~y).sum() == 0:
        return pd.DataFrame(columns=["phrase", "in_flagged", "in_other", "log_odds"])
    vec = CountVectorizer(ngram_range=ngram_range, min_df=min_df, stop_words="english", binary=True)
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # no phrase reaches min_df
        return pd.DataFrame(columns=["phrase", "in_flagged", "in_other", "log_odds"])
    a = np.asarray(x[y].sum(axis=0)).ravel() + 0.5
    b = np.asarray(x[~y].sum(axis=0)).ravel() + 0.5
    na, nb = y.sum() + 1.0, (~y).sum() + 1.0
    lo = np.log(a / (na - a)) - np.log(b / (nb - b))
    top = np.argsort(-lo)[:k]
    names = vec.get_feature_names_out()
    return pd.DataFrame(
        {
            "phrase": names[top],
            "in_flagged": (a[top] - 0.5).astype(int),
            "in_other": (b[top] - 0.5).astype(int),
            "log_odds": lo[top].round(2),
        }
    )


def corpus_frame(corpus) -> pd.DataFrame:
    """A built corpus (``DatasetDict``) as one DataFrame: label names instead of ids, one row per sentence."""
    frames = []
    techs, voices = technique_labels(), voice_labels()
    for ds in corpus.values():
        df = ds.select_columns(
            ["source", "dataset", "article_id", "text", "voice", "techniques", "techniques_annotated", "split"]
        ).to_pandas()
        df["voice"] = df["voice"].map(lambda v: voices[v] if v >= 0 else None)
        df["technique_names"] = df["techniques"].map(lambda ids: [techs[i] for i in ids])
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    for t in techs:
        df[t] = df["technique_names"].map(lambda names, t=t: int(t in names))
    return df


def voice_technique_matrix(df: pd.DataFrame) -> pd.DataFrame:
    """Share of sentences of each gold voice that carry each technique (annotated sentences only)."""
    sub = df[df["voice"].notna() & df["techniques_annotated"]]
    return sub.groupby("voice")[list(technique_labels())].mean()
