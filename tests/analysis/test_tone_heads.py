"""The news tone model's shipped heads are well conditioned, and the fitting code keeps them so.

Near-dead features (training SD below ``train.MIN_STD``, as three of the int8 MiniLM's output
dimensions are) get weight 0 instead of a weight of 1e30 from dividing by their SD.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.tone import model as tone_model
from analysis.tone import train as tt

# The int8 MiniLM output dimensions whose SD over news sentences is 1e-33 to 1e-8 (all others >= 0.022).
DEAD_DIMS = (127, 223, 319)
# Largest |weight| of the shipped heads on raw features: sentence 0.133, target 1.55.
MAX_ABS_WEIGHT = 5.0


def _with_dead_column(n: int, d: int, seed: int) -> tuple[np.ndarray, int]:
    """Return random features with one column at 1e-33 scale (varying, label-free) and its index."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    dead = 3
    X[:, dead] = rng.normal(size=n) * 1e-33
    return X, dead


def test_shipped_heads_load_finite_and_bounded() -> None:
    heads = tone_model.load_heads()
    assert heads.sentence_w.shape == (tone_model.SENTENCE_FEATURES,)
    assert heads.target_w.shape == (3, 3 * tone_model.DIM + 8)
    for w in (heads.sentence_w, heads.target_w, heads.target_b):
        assert np.isfinite(w).all()
        assert np.abs(w).max() < MAX_ABS_WEIGHT
    assert abs(heads.sentence_b) < 1.0
    assert heads.meta["sentence"]["max_abs_weight"] == pytest.approx(float(np.abs(heads.sentence_w).max()), rel=1e-3)
    assert heads.meta["target"]["max_abs_weight"] == pytest.approx(float(np.abs(heads.target_w).max()), rel=1e-3)


def test_shipped_heads_give_dead_encoder_dimensions_weight_zero() -> None:
    heads = tone_model.load_heads()
    sentence_dead = [d for d in DEAD_DIMS] + [tone_model.DIM + 4 + d for d in DEAD_DIMS] \
        + [2 * tone_model.DIM + 4 + d for d in DEAD_DIMS]
    target_dead = [k * tone_model.DIM + d for k in range(3) for d in DEAD_DIMS]
    assert heads.meta["sentence"]["dead_columns"] == sorted(sentence_dead)
    assert heads.meta["target"]["dead_columns"] == sorted(target_dead)
    assert not heads.sentence_w[sentence_dead].any()
    assert not heads.target_w[:, target_dead].any()
    assert np.count_nonzero(heads.sentence_w) == tone_model.SENTENCE_FEATURES - len(sentence_dead)


def test_live_columns_cut_at_min_std() -> None:
    X = np.array([[0.0, 1e-33, 5.0, 0.0], [0.05, -1e-33, 5.0, 2e-6], [0.1, 0.0, 5.0, 0.0]])
    assert tt.live_columns(X).tolist() == [True, False, False, False]
    assert tt.live_columns(X * 10).tolist() == [True, False, False, True]


def test_fit_ridge_ignores_a_near_dead_column() -> None:
    X, dead = _with_dead_column(80, 12, seed=2)
    y = X[:, 0] - 2 * X[:, 1] + np.random.default_rng(3).normal(scale=0.1, size=80)
    w, b = tt.fit_ridge(X, y, 1.0)
    assert w[0, dead] == 0.0
    assert np.abs(w).max() < 3.0
    # The other columns get exactly the fit without the dead one.
    keep = [k for k in range(X.shape[1]) if k != dead]
    w_ref, b_ref = tt.fit_ridge(X[:, keep], y, 1.0)
    assert w[0, keep] == pytest.approx(w_ref[0], abs=1e-6)
    assert b[0] == pytest.approx(b_ref[0], abs=1e-6)
    assert X @ w[0] + b[0] == pytest.approx(X[:, keep] @ w_ref[0] + b_ref[0], abs=1e-5)


def test_fit_logistic_ignores_a_near_dead_column() -> None:
    X, dead = _with_dead_column(150, 8, seed=4)
    y = np.digitize(X[:, 0] + 0.5 * X[:, 2], [-0.5, 0.5])  # 0/1/2
    w, b = tt.fit_logistic(X, y, 1.0)
    assert w.shape == (3, 8) and not w[:, dead].any()
    assert np.abs(w).max() < 10.0
    accuracy = float(np.mean(np.argmax(X @ w.T + b, axis=1) == y))
    assert accuracy > 0.8


def test_clearly_negative_and_positive_sentences_and_targets() -> None:
    scores = tone_model.predict_sentences([
        "The massacre was a horrific, cruel atrocity that shamed the nation.",
        "Volunteers celebrated a wonderful, generous and hopeful victory.",
    ])
    assert scores[0] < -0.3 and scores[1] > 0.2
    text = "The mayor was praised for her courage, while the governor was blasted as a liar and a coward."
    start = text.index("governor")
    target_scores, labels = tone_model.predict_targets([(text, start, start + len("governor")),
                                                        (text, 4, 9)])
    assert labels == ["neg", "pos"]
    assert target_scores[0] < -0.3 < 0.3 < target_scores[1]
