"""Tone scorers behind ``python -m analysis sentiment``: contract, quality floors, errors.

The quality floors run on the dev files of ../shared/bench/sentiment (read at test
time, nothing copied). NewsMTSC dev is held out from training, so its floor is an honest
one; the NYT sentence head is trained on all of nyt_dev, so its floor (on every 8th
snippet) is in-sample and guards against breakage (wrong vocabulary, encoder or head),
not against overfitting: the cross-validated figure is in ``benchmarks/sentiment.py``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis.tone import model as tone_model
from analysis.tone import sentiment
from analysis.tone import train as tt
from tests.conftest import require_shared

# Sentences of our own, with two targets of opposite treatment in one sentence.
PRAISE_BLAME = "The mayor was praised for her courage, while the governor was blasted as a liar and a coward."
RESCUE_ARREST = "Hamilton heroically saved three children, and police arrested Jenkins for the brutal attack."
OWN = [
    {"id": "p", "text": "What a wonderful, joyful celebration of a great achievement."},
    {"id": "n", "text": "The attack killed dozens and left the town in grief and ruin."},
    {"id": 3, "text": "The committee meets on Tuesday. It will publish minutes later."},
    {"id": "t", "text": PRAISE_BLAME, "target": {"start": 4, "end": 9}},
]


def span(text: str, word: str) -> dict[str, int]:
    start = text.index(word)
    return {"start": start, "end": start + len(word)}


@pytest.mark.parametrize("scorer", sorted(sentiment.SCORERS))
def test_contract_ids_order_range_labels(scorer: str) -> None:
    out = list(sentiment.score_records(iter(OWN), scorer))
    assert [r["id"] for r in out] == [r["id"] for r in OWN]
    for row in out:
        assert set(row) == {"id", "score", "label"}
        assert isinstance(row["score"], float) and -1.0 <= row["score"] <= 1.0
        assert row["label"] in ("neg", "neu", "pos")
        json.dumps(row)  # serialisable as a JSON line
    assert out[0]["label"] == "pos" and out[1]["label"] == "neg"
    assert out[0]["score"] > out[2]["score"] > out[1]["score"]


def test_news_target_tone_differs_for_two_targets_in_one_sentence() -> None:
    records = [{"id": w, "text": text, "target": span(text, w)}
               for text in (PRAISE_BLAME, RESCUE_ARREST)
               for w in (("mayor", "governor") if text == PRAISE_BLAME else ("Hamilton", "Jenkins"))]
    out = {r["id"]: r for r in sentiment.score_records(records, "news")}
    assert out["mayor"]["label"] == "pos" and out["governor"]["label"] == "neg"
    assert out["mayor"]["score"] - out["governor"]["score"] > 0.5
    assert out["Hamilton"]["score"] - out["Jenkins"]["score"] > 0.3


def test_target_inside_a_longer_text_uses_its_own_sentence() -> None:
    text = "Markets were calm on Monday. " + PRAISE_BLAME
    alone = next(sentiment.score_records([{"id": 1, "text": PRAISE_BLAME, "target": span(PRAISE_BLAME, "governor")}],
                                         "news"))
    inside = next(sentiment.score_records([{"id": 1, "text": text, "target": span(text, "governor")}], "news"))
    assert inside["label"] == alone["label"] and math.isclose(inside["score"], alone["score"], abs_tol=1e-3)


def test_empty_input_and_empty_text() -> None:
    assert list(sentiment.score_records([], "news")) == []
    for scorer in sentiment.SCORERS:
        (row,) = sentiment.score_records([{"id": "e", "text": ""}], scorer)
        assert row == {"id": "e", "score": 0.0, "label": "neu"}


@pytest.mark.parametrize(("record", "message"), [
    (["not", "an", "object"], "expected a JSON object"),
    ({"text": "No id."}, 'missing "id"'),
    ({"id": "a"}, '"text" must be a string'),
    ({"id": "a", "text": 5}, '"text" must be a string'),
    ({"id": "a", "text": "Hello there.", "target": [0, 5]}, '"target" must be an object'),
    ({"id": "a", "text": "Hello there.", "target": {"start": "0", "end": 5}}, "integer"),
    ({"id": "a", "text": "Hello there.", "target": {"start": 6, "end": 40}}, "not a non-empty span"),
    ({"id": "a", "text": "Hello there.", "target": {"start": 5, "end": 5}}, "not a non-empty span"),
])
def test_bad_record_names_line_id_and_problem(record: object, message: str) -> None:
    good = {"id": "ok", "text": "Fine."}
    with pytest.raises(ValueError, match="line 2") as err:
        list(sentiment.score_records([good, record], "vader"))
    assert message in str(err.value)
    if isinstance(record, dict) and "id" in record:
        assert "'a'" in str(err.value)


def test_unknown_scorer_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown scorer 'bert'.*news, vader"):
        list(sentiment.score_records([], "bert"))


def test_direct_api_shapes() -> None:
    scores = tone_model.predict_sentences(["A fine day.", "A dreadful day."])
    assert scores.shape == (2,) and scores[0] > scores[1]
    scores, labels = tone_model.predict_targets([(PRAISE_BLAME, 4, 9)])
    assert scores.shape == (1,) and labels == ["pos"]
    with pytest.raises(ValueError):
        tone_model.predict_targets([("Short.", 3, 30)])


# ------------------------------------------------------------- quality floors
def test_nyt_floor_in_sample_subset() -> None:
    path = require_shared("bench", "sentiment", "nyt", "nyt_dev.tsv")
    texts, means, _, ids = tt.read_nyt(path)
    keep = range(0, len(texts), 8)
    records = [{"id": ids[i], "text": texts[i]} for i in keep]
    gold = means[list(keep)]
    r = {s: float(np.corrcoef([o["score"] for o in sentiment.score_records(records, s)], gold)[0, 1])
         for s in ("vader", "news")}
    # Measured on this subset: vader 0.55, news 0.75 (in-sample; 0.677 cross-validated on all of dev).
    assert r["vader"] > 0.45
    assert r["news"] > 0.66
    assert r["news"] > r["vader"] + 0.1


@pytest.mark.parametrize(("name", "floor"), [("dev_rw", 0.72), ("dev_mt", 0.69)])
def test_newsmtsc_floor_held_out(name: str, floor: float) -> None:
    path = require_shared("bench", "sentiment", "newsmtsc", f"{name}.jsonl")
    sentences, targets, labels, _, ids = tt.read_newsmtsc(path)
    records = [{"id": gid, "text": sentences[i], "target": {"start": s, "end": e}}
               for gid, (i, s, e) in zip(ids, targets)]
    classes = ("neg", "neu", "pos")
    pred = [classes.index(o["label"]) for o in sentiment.score_records(records, "news")]
    # Measured: dev_rw 0.734, dev_mt 0.709 (macro-F1; VADER 0.51 / 0.53). Floors leave ~0.02 for
    # library-version drift, less than the gap to VADER or to the goals would allow.
    assert tt.macro_f1(labels, pred) >= floor


def test_the_default_scorer_is_the_news_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import run_cli

    assert sentiment.DEFAULT_SCORER == "news"
    default = list(sentiment.score_records(OWN))
    assert default == list(sentiment.score_records(OWN, "news"))
    assert default != list(sentiment.score_records(OWN, "vader"))
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in OWN), encoding="utf-8")
    done = run_cli("analysis", "sentiment", "--in", str(source), "--out", str(out))
    assert done.returncode == 0 and "scored with news" in done.stdout
    assert [json.loads(line) for line in out.read_text().splitlines()] == json.loads(json.dumps(default))
    vader = run_cli("analysis", "sentiment", "--in", str(source), "--out", str(out), "--scorer", "vader")
    assert vader.returncode == 0 and "scored with vader" in vader.stdout


def test_sentences_are_capped_in_word_pieces_targets_are_not() -> None:
    encoder = tone_model.default_model().encoder
    long = " ".join(["word"] * 400)
    capped, full = encoder.encode([long], tone_model.SENTENCE_MAX_TOKENS)[0], encoder.encode([long])[0]
    assert capped.states.shape == (tone_model.SENTENCE_MAX_TOKENS, tone_model.DIM)
    assert full.states.shape[0] == tone_model.MAX_TOKENS
    assert capped.special[0] and capped.special[-1]  # [CLS] ... [SEP] kept at the cap
    # A short sentence is untouched by the cap: same score either way.
    short = ["The rescue was a triumph of courage."]
    heads = tone_model.default_model().heads
    by_cap = [float(tone_model.sentence_feature_matrix(short, encoder.encode(short, cap))[0] @ heads.sentence_w)
              for cap in (tone_model.SENTENCE_MAX_TOKENS, tone_model.MAX_TOKENS)]
    assert by_cap[0] == pytest.approx(by_cap[1], abs=1e-6)


# ------------------------------------------------------- sentence head features
def _encoded(n: int, special_ends: bool = True) -> tone_model.Encoded:
    rng = np.random.default_rng(0)
    special = np.zeros(n, dtype=bool)
    special[[0, -1]] = special_ends
    return tone_model.Encoded(states=rng.normal(size=(n, tone_model.DIM)).astype(np.float32),
                              offsets=np.zeros((n, 2), dtype=np.int64), special=special)


def test_valence_pooling_weights_tokens_by_their_words_lexicon_valence() -> None:
    text = "Good plan, bad timing."  # VADER lexicon: good +1.9, bad -2.5; plan and timing absent
    enc = _encoded(6)
    enc.offsets[1:5] = [(0, 4), (5, 10), (11, 14), (15, 22)]
    assert tone_model.token_valence(text, enc).tolist() == pytest.approx([0, 1.9, 0, -2.5, 0, 0])
    pooled = tone_model.valence_pooling(text, enc)
    absolute = 1.9 * enc.states[1] + 2.5 * enc.states[3]
    signed = 1.9 * enc.states[1] - 2.5 * enc.states[3]
    assert pooled[:tone_model.DIM] == pytest.approx(absolute / np.linalg.norm(absolute), abs=1e-6)
    assert pooled[tone_model.DIM:] == pytest.approx(signed / np.linalg.norm(signed), abs=1e-6)
    # No word in the lexicon: zeros, not NaN.
    assert not tone_model.valence_pooling("Plan timing.", enc).any()


def test_sentence_features_match_the_shipped_head() -> None:
    enc = _encoded(5)
    X = tone_model.sentence_feature_matrix(["A dreadful, shameful failure."], [enc])
    assert X.shape == (1, tone_model.SENTENCE_FEATURES) == (1, 1156)
    assert tone_model.sentence_feature_matrix([], []).shape == (0, tone_model.SENTENCE_FEATURES)
    assert tone_model.default_model().heads.sentence_w.shape == (tone_model.SENTENCE_FEATURES,)


def test_fit_ridge_folds_the_valence_weight_into_raw_feature_weights() -> None:
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, tone_model.SENTENCE_FEATURES))
    y = X[:, 0] - X[:, tone_model.DIM + 10] + rng.normal(scale=0.1, size=60)
    w, b = tt.fit_ridge(X, y, 10.0)
    scaler = StandardScaler().fit(X)
    weights = np.ones(X.shape[1])
    weights[tone_model.VALENCE_COLUMNS] = tt.VALENCE_WEIGHT
    reference = Ridge(alpha=10.0).fit(scaler.transform(X) * weights, y).predict(scaler.transform(X) * weights)
    assert X @ w[0] + b[0] == pytest.approx(reference, abs=1e-4)
