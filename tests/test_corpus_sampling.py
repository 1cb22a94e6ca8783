"""Tests of NK sampling, annotation task files, answer conversion and the committed seed gold."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from pipeline.corpus.sampling import (
    _allocate,
    choose_kcna,
    choose_rodong,
    load_nk_articles,
    read_sample,
    sample_nk,
    sentence_records,
    sha256,
    write_sample,
)
from pipeline.corpus.tasks import (
    answers_to_records,
    make_tasks,
    second_pass_tasks,
    split_batches,
    task_id,
    write_tasks,
)
from pipeline.errors import CorpusError
from pipeline.labels import technique_labels, voice_labels
from pipeline.records import Article

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "corpus" / "annotations"
SEED_DIR = ROOT / "corpus" / "seed"


def _art(i: int, topic: str, month: str) -> Article:
    return Article(id=f"k{i:04d}", text="x", date=f"{month}-01", meta={"topic": topic})


@pytest.mark.parametrize(
    ("sizes", "n"), [({"a": 100, "b": 10, "c": 1}, 20), ({"a": 5, "b": 5, "c": 5}, 4), ({"a": 2}, 9), ({"a": 9}, 0)]
)
def test_allocate_floor_and_total(sizes, n):
    alloc = _allocate(sizes, n, 2)
    assert sum(alloc.values()) == min(n, sum(sizes.values()))
    assert all(0 <= alloc[k] <= sizes[k] for k in sizes)
    if n >= 2 * len(sizes):
        assert all(alloc[k] >= min(2, sizes[k]) for k in sizes)


def test_choose_kcna_stratified_and_seeded():
    arts = [_art(i, t, m) for i, (t, m) in enumerate((t, m) for t in "ABC" for m in ("2024-08", "2024-09") * 20)]
    arts += [_art(900 + i, "rare", "2024-01") for i in range(3)]
    first = choose_kcna(arts, 12, random.Random(1))
    assert [a.id for a in first] == [a.id for a in choose_kcna(arts, 12, random.Random(1))]
    assert [a.id for a in first] != [a.id for a in choose_kcna(arts, 12, random.Random(2))]
    topics = Counter(a.meta["topic"] for a in first)
    assert len(first) == len({a.id for a in first}) == 12
    assert topics["rare"] >= 2
    # Round-robin over months: a topic with 3+ picks has both months.
    for t in "ABC":
        months = {a.date[:7] for a in first if a.meta["topic"] == t}
        assert topics[t] < 2 or len(months) == 2


def test_choose_rodong_one_per_date_bin():
    arts = [Article(id=f"r{i}", text="x", date=f"2022-{1 + i // 10:02d}-01") for i in range(40)]
    chosen = choose_rodong(arts, 4, random.Random(3))
    assert [a.date[:7] for a in chosen] == ["2022-01", "2022-02", "2022-03", "2022-04"]


def test_sample_nk_is_seeded_and_whole_article(data_dir, nlp):
    a = sample_nk(data_dir, n_kcna=4, n_rodong=2, seed=11, window=6, nlp=nlp)
    assert a == sample_nk(data_dir, n_kcna=4, n_rodong=2, seed=11, window=6, nlp=nlp)
    assert a != sample_nk(data_dir, n_kcna=4, n_rodong=2, seed=12, window=6, nlp=nlp)
    by_article: dict[tuple[str, str], list[dict]] = {}
    for r in a:
        by_article.setdefault((r["dataset"], r["article_id"]), []).append(r)
    assert Counter(ds for ds, _ in by_article) == {"kcna-2024": 4, "rodong-2021": 2}
    articles = {(ds, x.id): x for ds in ("kcna-2024", "rodong-2021") for x in load_nk_articles(data_dir, ds)}
    for key, recs in by_article.items():
        full = sentence_records(key[0], articles[key], nlp, window=None)
        # All sentences, or a contiguous window from the article's first sentence.
        assert recs == full[: min(6, len(full))]
        assert "text" not in recs[0]


def test_committed_sample_addresses_data(data_dir):
    sample = read_sample(ANNOTATIONS / "nk.sample.jsonl")
    assert len(sample) >= 1500
    assert len({(r["dataset"], r["article_id"]) for r in sample}) >= 60
    articles = {(ds, x.id): x for ds in ("kcna-2024", "rodong-2021") for x in load_nk_articles(data_dir, ds)}
    for r in sample:
        art = articles[(r["dataset"], r["article_id"])]
        assert sha256(art.text) == r["article_sha256"]
        assert sha256(art.text[r["start"] : r["end"]]) == r["sentence_sha256"], task_id(r)
        assert "voice" not in r


def _tasks(sizes: list[int]) -> list[dict]:
    return [
        {"task_id": f"d:a{k}:{i}", "dataset": "d", "article_id": f"a{k}", "start": i}
        for k, n in enumerate(sizes)
        for i in range(n)
    ]


def test_split_batches_keeps_articles_whole_and_balanced():
    tasks = _tasks([9, 3, 5, 7, 2, 8, 4])
    batches = split_batches(tasks, 2)
    assert sorted(t["task_id"] for b in batches for t in b) == sorted(t["task_id"] for t in tasks)
    owners = [{t["article_id"] for t in b} for b in batches]
    assert not owners[0] & owners[1]
    assert abs(len(batches[0]) - len(batches[1])) <= 2
    for b in batches:  # sample order kept inside a batch
        assert [int(t["article_id"][1:]) for t in b] == sorted(int(t["article_id"][1:]) for t in b)


def test_second_pass_whole_articles_from_every_batch():
    batches = split_batches(_tasks([6] * 20), 2)
    p2 = second_pass_tasks(batches, min_sentences=30, seed=5)
    assert len(p2) >= 30
    arts = {t["article_id"] for t in p2}
    assert all(sum(t["article_id"] == a for t in p2) == 6 for a in arts)
    assert all(arts & {t["article_id"] for t in b} for b in batches)
    assert p2 == second_pass_tasks(batches, min_sentences=30, seed=5)


@pytest.fixture()
def seed_sample(tmp_path, seed_article, nlp):
    path = tmp_path / "seed.sample.jsonl"
    write_sample(path, sentence_records("seed", seed_article, nlp, window=None))
    return path


def _answer(tid: str, **kw) -> dict:
    base = {"task_id": tid, "voice": "narration", "speaker_text": None, "cue_text": None}
    base.update(kw)
    return base


def test_answers_to_records_finds_offsets(tmp_path, seed_sample, seed_article):
    sample = read_sample(seed_sample)
    text = seed_article.text
    t3, t8, t12 = (task_id(sample[i]) for i in (3, 8, 12))
    answers = tmp_path / "answers.jsonl"
    write_tasks(
        answers,
        [
            _answer(t3, voice="source_testimony", speaker_text="a source in the province", cue_text="told"),
            _answer(
                t8,
                voice="state_media",
                speaker_text="the Rodong Sinmun newspaper",
                cue_text="reported",
                techniques=["Doubt"],
                spans=[{"technique": "Loaded_Language", "text": "gratifying spectacle"}],
            ),
            _answer(
                t12,
                voice="source_testimony",
                speaker_text="another local",
                cue_text="remarked",
                spans=[{"technique": "Repetition", "text": "soy", "occurrence": 0}],
            ),
        ],
    )
    recs = answers_to_records(answers, seed_sample, tmp_path, "t1", seed_dir=SEED_DIR)
    assert [r["start"] for r in recs] == [sample[i]["start"] for i in (3, 8, 12)]
    r3, r8, r12 = recs
    # Speaker of sentence 3 is named in sentence 4 (end of the two-sentence quote).
    assert text[r3["speaker"]["start"] : r3["speaker"]["end"]] == "a source in the province"
    assert r3["speaker"]["start"] >= sample[4]["start"]
    assert text[r3["cue"]["start"] : r3["cue"]["end"]] == "told"
    span = r8["spans"][0]
    assert text[span["start"] : span["end"]] == "gratifying spectacle"
    assert r8["start"] <= span["start"] < span["end"] <= r8["end"]
    assert r8["techniques"] == ["Doubt", "Loaded_Language"]
    assert r12["annotator"] == "t1" and r12["nested_speaker"] is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"spans": [{"technique": "Loaded_Language", "text": "not in this sentence"}]}, "not found"),
        ({"spans": [{"technique": "Loaded_Language", "text": "the", "occurrence": 9}]}, "occurrence 9"),
        ({"speaker_text": "a spokesman of the Foreign Ministry"}, "speaker_text"),
        ({"voice": "editorial"}, "unknown voice"),
        ({"techniques": ["Propaganda"]}, "unknown technique"),
    ],
)
def test_answers_to_records_rejects_bad_answer_naming_task(tmp_path, seed_sample, change, message):
    tid = task_id(read_sample(seed_sample)[5])
    answers = tmp_path / "answers.jsonl"
    write_tasks(answers, [_answer(tid, **change)])
    with pytest.raises(CorpusError) as err:
        answers_to_records(answers, seed_sample, tmp_path, "t1", seed_dir=SEED_DIR)
    assert tid in str(err.value) and message in str(err.value)


def test_answers_to_records_rejects_unknown_task(tmp_path, seed_sample):
    answers = tmp_path / "answers.jsonl"
    write_tasks(answers, [_answer("seed:nope:0")])
    with pytest.raises(CorpusError, match="seed:nope:0"):
        answers_to_records(answers, seed_sample, tmp_path, "t1", seed_dir=SEED_DIR)


def test_make_tasks_carry_text_and_context(seed_sample, seed_article):
    recs = read_sample(seed_sample)
    tasks = make_tasks(recs, {("seed", seed_article.id): seed_article})
    assert [t["text"] for t in tasks] == [seed_article.text[r["start"] : r["end"]] for r in recs]
    assert tasks[5]["context_before"].endswith(tasks[4]["text"] + "\n\n")


def test_seed_gold_covers_every_sentence(seed_article, seed_sentences):
    gold = [json.loads(line) for line in (ANNOTATIONS / "seed.gold.jsonl").read_text(encoding="utf-8").splitlines()]
    text = seed_article.text
    assert [(g["start"], g["end"]) for g in gold] == [(s.start, s.end) for s in seed_sentences]
    assert len(gold) == 26
    voices, techs = set(voice_labels()), set(technique_labels())
    for g in gold:
        assert g["dataset"] == "seed" and g["article_id"] == seed_article.id
        assert g["article_sha256"] == sha256(text)
        assert g["sentence_sha256"] == sha256(text[g["start"] : g["end"]])
        assert g["voice"] in voices and set(g["techniques"]) <= techs
        for sp in g["spans"]:
            assert g["start"] <= sp["start"] < sp["end"] <= g["end"]
            assert sp["technique"] in g["techniques"]
        for key in ("speaker", "cue", "nested_speaker"):
            if g[key] is not None:
                assert 0 <= g[key]["start"] < g[key]["end"] <= len(text)
        if g["voice"] == "narration":
            assert g["speaker"] is None
    # The brief's reference decisions.
    assert gold[5]["voice"] == "source_testimony"
    assert text[gold[5]["speaker"]["start"] : gold[5]["speaker"]["end"]] == "a source in the province"
    assert text[gold[5]["nested_speaker"]["start"] : gold[5]["nested_speaker"]["end"]] == "The government"
    assert gold[8]["voice"] == "state_media"
