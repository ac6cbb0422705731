"""Benchmark the tone scorers on the dev files of ../shared/bench/sentiment.

    OMP_NUM_THREADS=1 python -m benchmarks.sentiment --shared ../shared [--preds DIR] [--no-cv]

Prints, for ``vader`` and ``news``:
* NYT dev: Pearson r with the mean human rating and macro-F1. The news model's sentence
  head is trained on this very file, so its figure is cross-validated by article (5 folds,
  as in ``analysis.tone.train``); the shipped model's in-sample figure is shown for
  reference only. The CV line gives the SD of r over the 5 folds, then the largest |weight|
  of the shipped sentence head (on raw features).
* NewsMTSC train: the target head's 5-fold CV macro-F1 by article and its per-fold SD, as the
  training run recorded them in ``meta.json``.
* NewsMTSC dev_rw / dev_mt: macro-F1 of the tone toward each target (the news model is
  trained on train.jsonl only, so these are honest held-out figures), through
  ``analysis.tone.sentiment.score_records`` exactly as the CLI runs it, and again through
  ``analysis.tone.target.score_target_tone`` (what the dashboard, brief and digest call);
  with the bootstrap SD over targets.
* CPU seconds per 1,000 sentences (median of 3 runs, same process, same sentences, one thread)
  for each scorer, and the ratio to VADER.
* basil (``corpora/basil``, 228 dev articles): article-level agreement of each article scorer
  (``tone_vader``, ``tone_news``: the default path, sentence selection included) with the
  annotators' sentiment toward the article's main entities and event (neg -1 / neu 0 / pos +1,
  averaged per article): Pearson r, and AUC of telling the articles with a negative annotation
  from the rest. Then tone toward each annotated main entity (``target.score_target_tone`` over
  the sentences naming it, its surname or first capitalised word as alias, at most
  ``ENTITY_MENTIONS`` mentions spread over the article) against that entity's annotation.
* Articles per second per core (CPU time of this process, one thread, so other jobs' load does
  not count) of ``tone_vader`` and ``tone_news`` on the same basil articles, side by side.
``--preds DIR`` also writes JSONL predictions that ``score.py`` reads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import registry
from analysis.tone import model as tone_model
from analysis.tone import sentiment
from analysis.tone import target as target_tone
from analysis.tone import train as tt

CLASSES = ("neg", "neu", "pos")
SPEED_SENTENCES = 500
SPEED_REPEATS = 3
FEELING = {"neg": -1.0, "neu": 0.0, "pos": 1.0}
# Mentions of one entity scored per article (spread over the article): bounds the run's cost.
ENTITY_MENTIONS = 6
# Resamples behind the bootstrap SD of a NewsMTSC dev figure.
BOOTSTRAP = 1000


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Return Pearson's r."""
    return float(np.corrcoef(a, b)[0, 1])


def nyt_records(path: Path) -> tuple[list[dict[str, object]], np.ndarray, np.ndarray]:
    """Return (score_records input, mean ratings, article groups) of the NYT file."""
    texts, means, groups, ids = tt.read_nyt(path)
    return [{"id": i, "text": t} for i, t in zip(ids, texts)], means, groups


def newsmtsc_records(path: Path) -> tuple[list[dict[str, object]], list[int]]:
    """Return (score_records input with targets, gold classes 0/1/2) of a NewsMTSC file."""
    sentences, targets, labels, _, ids = tt.read_newsmtsc(path)
    records = [{"id": gid, "text": sentences[i], "target": {"start": s, "end": e}}
               for gid, (i, s, e) in zip(ids, targets)]
    return records, [int(v) for v in labels]


def mention_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Return NewsMTSC targets as ``analysis.tone.target.target_mentions`` rows (one per target)."""
    rows = []
    for r in records:
        span = r["target"]
        assert isinstance(span, dict)
        rows.append({"article_id": r["id"], "outlet": None, "sentence_index": 0, "start": 0,
                     "end": len(str(r["text"])), "sentence": r["text"], "mention_start": span["start"],
                     "mention_end": span["end"]})
    return pd.DataFrame(rows)


def run(records: list[dict[str, object]], scorer: str, preds: Path | None, name: str) -> list[dict[str, object]]:
    """Score records and optionally write them as JSONL for score.py."""
    out = list(sentiment.score_records(records, scorer))
    if preds is not None:
        preds.mkdir(parents=True, exist_ok=True)
        with (preds / f"{name}_{scorer}.jsonl").open("w", encoding="utf-8") as fh:
            for row in out:
                fh.write(json.dumps(row) + "\n")
    return out


def timed(fn: Callable[[], object]) -> float:
    """Return the median CPU time of this one-thread process over SPEED_REPEATS calls (load-proof)."""
    times = []
    for _ in range(SPEED_REPEATS):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def bootstrap_sd(gold: list[int], pred: list[int], n: int = BOOTSTRAP) -> float:
    """Return the SD of macro-F1 over ``n`` resamples of the items (seeded)."""
    gold_a, pred_a = np.asarray(gold), np.asarray(pred)
    rng = np.random.default_rng(0)
    draws = [tt.macro_f1(gold_a[i], pred_a[i]) for i in (rng.integers(0, len(gold_a), len(gold_a)) for _ in range(n))]
    return float(np.std(draws))


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Return P(score of a random positive > score of a random negative), ties half (Mann-Whitney)."""
    pos, neg = scores[positive], scores[~positive]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def entity_aliases(name: str) -> list[str]:
    """Return the alias under which an annotated entity is also named: its last capitalised word.

    >>> entity_aliases("Joe Sestak"), entity_aliases("Obama administration"), entity_aliases("NAACP")
    (['Sestak'], ['Obama'], [])
    """
    words = [w for w in name.split() if w[:1].isupper() and len(w) > 3]
    return [words[-1]] if len(name.split()) > 1 and words else []


def basil_rows(shared: Path) -> pd.DataFrame:
    """Return basil's articles with their annotated feelings (per entity and the article mean)."""
    rows = []
    for line in (shared / "corpora" / "basil" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        notes = record["labels"]["article_annotations"]
        feelings = {key[len("author_feeling_"):]: FEELING[value] for key, value in notes.items()
                    if key.startswith("author_feeling_") and value in FEELING}
        entities = {e: feelings[e.replace(" ", "_")] for e in record["labels"]["main_entities"]
                    if e.replace(" ", "_") in feelings}
        rows.append({"id": record["id"], "title": record["title"], "text": record["text"],
                     "outlet": record["outlet"], "feeling": float(np.mean(list(feelings.values()))),
                     "any_negative": min(feelings.values()) < 0, "entities": entities})
    return pd.DataFrame(rows)


def basil_agreement(shared: Path) -> list[tuple[str, str, str]]:
    """Return benchmark rows: article- and entity-level agreement with basil's annotations, and speed."""
    articles = basil_rows(shared)
    rows: list[tuple[str, str, str]] = []
    feeling = articles["feeling"].to_numpy()
    negative = articles["any_negative"].to_numpy(dtype=bool)
    seconds: dict[str, float] = {}
    for name in ("tone_vader", "tone_news"):
        scorer = registry.get(name)
        scorer.score(articles.head(2))  # load the model before timing
        began = time.process_time()
        result = scorer.score(articles)
        seconds[name] = time.process_time() - began
        tone = result.articles[result.articles.metric == "tone"].set_index("article_id")["value"]
        values = tone.reindex(articles["id"]).fillna(0.0).to_numpy()
        rows.append(("basil article tone r", name, f"{pearson(values, feeling):.3f}"))
        rows.append(("basil article tone AUC (neg)", name, f"{auc(-values, negative):.3f}"))
    # Tone toward each annotated main entity.
    found = []
    for k, record in articles.iterrows():
        for entity, value in record["entities"].items():
            mentions = target_tone.target_mentions(articles.iloc[[k]], entity, aliases=entity_aliases(entity))
            if len(mentions):
                pick = np.unique(np.linspace(0, len(mentions) - 1, ENTITY_MENTIONS).round().astype(int))
                found.append(mentions.iloc[pick].assign(entity=entity, feeling=value))
    mentions = pd.concat(found, ignore_index=True)
    annotated = sum(len(e) for e in articles["entities"])
    for scorer in target_tone.TARGET_SCORERS:
        scored = target_tone.score_target_tone(mentions, scorer)
        per = scored.groupby(["article_id", "entity"]).agg(tone=("tone", "mean"), feeling=("feeling", "first"))
        label = f"{scorer} ({len(per)} of {annotated} entities named in the text)"
        rows.append(("basil entity tone r", label, f"{pearson(per['tone'].to_numpy(), per['feeling'].to_numpy()):.3f}"))
        rows.append(("basil entity tone AUC (neg)", label,
                     f"{auc(-per['tone'].to_numpy(), per['feeling'].to_numpy() < 0):.3f}"))
    for name, cpu in seconds.items():
        rate = len(articles) / cpu
        rows.append(("basil articles/s per core", name,
                     f"{rate:.1f} ({cpu / seconds['tone_vader']:.0f}x VADER's CPU time)"))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print every figure; return 0."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--preds", type=Path, help="write JSONL predictions here for score.py")
    parser.add_argument("--no-cv", action="store_true", help="skip the NYT cross-validation (needs scikit-learn)")
    args = parser.parse_args(argv)
    bench = args.shared / "bench" / "sentiment"
    rows: list[tuple[str, str, str]] = []

    # 1. NYT: sentence tone.
    records, means, groups = nyt_records(bench / "nyt" / "nyt_dev.tsv")
    gold = tt.band_classes(means / 4.0, 0.05)
    for scorer in ("vader", "news"):
        out = run(records, scorer, args.preds, "nyt")
        scores = np.array([r["score"] for r in out], dtype=float)
        labels = [CLASSES.index(str(r["label"])) for r in out]
        note = "" if scorer == "vader" else " (in-sample: trained on this file)"
        rows.append(("NYT dev r", scorer + note, f"{pearson(scores, means):.3f}"))
        rows.append(("NYT dev f1m", scorer + note, f"{tt.macro_f1(gold, labels):.3f}"))
    if not args.no_cv:
        model = tone_model.default_model()
        texts = [str(r["text"]) for r in records]
        X = tone_model.sentence_feature_matrix(texts, model.encoder.encode(texts, tone_model.SENTENCE_MAX_TOKENS))
        head = tt.train_sentence_head(X, means, groups)
        cv_r, band, cv_f1m, sd = (float(head[k]) for k in ("cv_r", "band", "cv_f1m", "cv_r_fold_sd"))  # type: ignore[arg-type]
        rows.append(("NYT dev r", "news, 5-fold CV by article", f"{cv_r:.3f} (per-fold r SD {sd:.3f})"))
        rows.append(("max |weight| of the sentence head", "news", f"{float(head['max_abs_weight']):.3g}"))  # type: ignore[arg-type]
        rows.append(("NYT dev f1m", f"news, 5-fold CV by article (band {band:.2f})", f"{cv_f1m:.3f}"))

    # 2. NewsMTSC: tone toward a target.
    target_meta = tone_model.load_heads().meta["target"]
    rows.append(("NewsMTSC train f1m", "news, 5-fold CV by article (training run, meta.json)",
                 f"{target_meta['cv_f1m']:.3f} (per-fold SD {target_meta.get('cv_f1m_fold_sd', float('nan')):.3f})"))
    for name in ("dev_rw", "dev_mt"):
        records_t, gold_t = newsmtsc_records(bench / "newsmtsc" / f"{name}.jsonl")
        for scorer in ("vader", "news"):
            out = run(records_t, scorer, args.preds, name)
            labels = [CLASSES.index(str(r["label"])) for r in out]
            rows.append((f"NewsMTSC {name} f1m", scorer,
                         f"{tt.macro_f1(gold_t, labels):.3f} (bootstrap SD {bootstrap_sd(gold_t, labels):.3f})"))
        plain = [{"id": r["id"], "text": r["text"]} for r in records_t]
        labels = [CLASSES.index(str(r["label"])) for r in sentiment.score_records(plain, "vader")]
        rows.append((f"NewsMTSC {name} f1m", "vader, whole sentence (target-blind)",
                     f"{tt.macro_f1(gold_t, labels):.3f}"))
        mentions = mention_frame(records_t)
        for scorer in target_tone.TARGET_SCORERS:
            scored = target_tone.score_target_tone(mentions, scorer)
            labels = [CLASSES.index(str(v)) for v in scored["label"]]
            rows.append((f"NewsMTSC {name} f1m", f"{scorer}, via target_tone.score_target_tone",
                         f"{tt.macro_f1(gold_t, labels):.3f}"))

    # 3. Speed: the same sentences through each scorer, the model warmed up first.
    sample = [{"id": r["id"], "text": r["text"]} for r in records[:SPEED_SENTENCES]]
    list(sentiment.score_records(sample[:8], "news"))
    per_k = {s: timed(lambda s=s: list(sentiment.score_records(sample, s))) * 1000 / len(sample)
             for s in ("vader", "news")}
    targets, _ = newsmtsc_records(bench / "newsmtsc" / "dev_rw.jsonl")
    per_k["news, with target"] = timed(lambda: list(sentiment.score_records(targets, "news"))) * 1000 / len(targets)
    for scorer, seconds in per_k.items():
        rows.append(("CPU-s per 1,000 sentences", scorer, f"{seconds:.2f} ({seconds / per_k['vader']:.0f}x VADER)"))

    # 4. basil: article-level agreement with annotated sentiment, and articles/s per core.
    rows += basil_agreement(args.shared)

    width = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    for metric, scorer, value in rows:
        print(f"{metric:<{width[0]}}  {scorer:<{width[1]}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
