"""Hand-check quote attribution: sample sentences, print them with predictions, score stored verdicts.

The sample is deterministic (sha256 of article id and sentence index) and drawn at
run time from ../shared/corpora, whose text never enters the repository:

* ``basil-quote``: basil sentences that an annotated bias span marks ``quote=yes``;
* ``basil-any`` and ``groundnews-any``: sentences drawn regardless of content.

Verdicts live in ``benchmarks/quotes_handcheck.json`` (ids and verdicts only). Per
sentence a person records ``quote`` (does the sentence report speech or writing of
an identifiable source?) and ``verdict``: ``tp`` (a speaker was predicted and is
right), ``wrong`` (predicted, but the wrong speaker), ``fp`` (predicted where no one
is quoted), ``fn`` (someone is quoted, no speaker predicted), ``tn``. Attribution
precision = tp / (tp + wrong + fp); recall = tp / (tp + wrong + fn).

Basil's annotated speakers give a second, automatic figure: for ``quote=yes`` spans
whose speaker is a named person (``Donald_Trump``), the share where the predicted
speaker of that sentence contains the surname.

    .venv/bin/python -m benchmarks.quotes_handcheck            # print the sample
    .venv/bin/python -m benchmarks.quotes_handcheck --score    # score the stored verdicts
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import quotes
from analysis.text import sentences

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PRESSLENS_SHARED", REPO.parent / "shared"))
VERDICTS = Path(__file__).resolve().parent / "quotes_handcheck.json"
# Sentences per stratum: 30 annotated quotes + 2 x 20 unselected sentences = 70 (>= 60 asked for),
# enough for precision/recall to about +/-0.1 at 95 % and small enough to read in one sitting.
PER_STRATUM = {"basil-quote": 30, "basil-any": 20, "groundnews-any": 20}


def _key(article_id: str, index: int) -> str:
    return hashlib.sha256(f"{article_id}#{index}".encode()).hexdigest()


def load(corpus: str) -> pd.DataFrame:
    """Return one corpus's articles (dev part in ../shared)."""
    return pd.read_json(SHARED / "corpora" / corpus / "articles.jsonl", lines=True)


def basil_gold(articles: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Return ``{article_id#sentence_index: {"speaker": annotated speaker}}`` for quote=yes spans."""
    gold: dict[str, dict[str, Any]] = {}
    for article_id, text, labels in zip(articles["id"], articles["text"], articles["labels"]):
        spans = sentences.split_spans(text)
        for span in labels.get("bias_spans") or []:
            if span.get("quote") != "yes" or span.get("start") is None:
                continue
            for index, (s, e) in enumerate(spans):
                if s <= span["start"] < e:
                    gold.setdefault(f"{article_id}#{index}", {"speaker": span.get("speaker") or ""})
                    break
    return gold


def sample() -> list[dict[str, Any]]:
    """Return the deterministic sample: id, stratum, sentence text, gold (basil) and predictions."""
    basil, ground = load("basil"), load("groundnews_stories")
    gold = basil_gold(basil)
    table = pd.concat([quotes.quote_table(basil), quotes.quote_table(ground)], ignore_index=True)
    predicted: dict[str, list[dict[str, Any]]] = {}
    for row in table.to_dict("records"):
        predicted.setdefault(f"{row['article_id']}#{row['sentence_index']}", []).append(row)
    pools: dict[str, list[tuple[str, str]]] = {name: [] for name in PER_STRATUM}
    for frame, prefix in ((basil, "basil"), (ground, "groundnews")):
        for article_id, text in zip(frame["id"], frame["text"]):
            for index, (s, e) in enumerate(sentences.split_spans(text)):
                sid = f"{article_id}#{index}"
                pools[f"{prefix}-any"].append((sid, text[s:e]))
                if sid in gold:
                    pools["basil-quote"].append((sid, text[s:e]))
    chosen: list[dict[str, Any]] = []
    seen: set[str] = set()
    for stratum, count in PER_STRATUM.items():
        ranked = sorted(pools[stratum], key=lambda item: _key(*item[0].rsplit("#", 1)))
        for sid, sentence in [item for item in ranked if item[0] not in seen][:count]:
            seen.add(sid)
            chosen.append({"id": sid, "stratum": stratum, "sentence": sentence, "gold": gold.get(sid),
                           "predicted": predicted.get(sid, [])})
    return chosen


def show(items: list[dict[str, Any]]) -> None:
    """Print the sample for a person to judge."""
    for item in items:
        preds = "; ".join(f"{p['kind']}: {p['speaker']} [{p['speaker_type']}, {p['country']}] cue={p['cue']}"
                          for p in item["predicted"]) or "-"
        print(f"{item['id']}  ({item['stratum']})\n  {item['sentence']}\n  gold: {item['gold']}\n  pred: {preds}\n")


def _surname(label: str) -> str | None:
    if not label or label.startswith("other_") or "_" not in label:
        return label.split("_")[-1] if label and not label.startswith("other_") else None
    return label.split("_")[-1]


def basil_speaker_recall() -> tuple[int, int]:
    """Return (found, total): annotated named speakers whose surname is in the predicted speaker."""
    basil = load("basil")
    gold = basil_gold(basil)
    table = quotes.quote_table(basil)
    predicted: dict[str, list[str]] = {}
    for row in table.itertuples():
        if isinstance(row.speaker, str):
            predicted.setdefault(f"{row.article_id}#{row.sentence_index}", []).append(row.speaker.lower())
    found = total = 0
    for sid, info in gold.items():
        surname = _surname(info["speaker"])
        if not surname or surname[0].islower():  # groups such as "senate_Democrats" are not one person
            continue
        total += 1
        found += any(surname.lower() in p for p in predicted.get(sid, []))
    return found, total


def score(verdicts: list[dict[str, Any]]) -> dict[str, Any]:
    """Return counts, attribution precision and recall, and quote-detection figures from verdicts."""
    counts = Counter(v["verdict"] for v in verdicts)
    tp, wrong, fp, fn = counts["tp"], counts["wrong"], counts["fp"], counts["fn"]
    precision = tp / (tp + wrong + fp) if tp + wrong + fp else float("nan")
    recall = tp / (tp + wrong + fn) if tp + wrong + fn else float("nan")
    return {"sentences": len(verdicts), "counts": dict(counts), "precision": round(precision, 3),
            "recall": round(recall, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--score", action="store_true", help="score the stored verdicts instead of printing")
    args = parser.parse_args(argv)
    if args.score:
        verdicts = json.loads(VERDICTS.read_text(encoding="utf-8"))["verdicts"]
        ids = {item["id"] for item in sample()}
        missing = ids - {v["id"] for v in verdicts}
        if missing:
            print(f"{len(missing)} sampled sentences have no verdict (the sample changed?)", file=sys.stderr)
        print(json.dumps(score([v for v in verdicts if v["id"] in ids]), indent=1))
        found, total = basil_speaker_recall()
        print(f"basil annotated named speakers found: {found}/{total} = {found / max(total, 1):.3f}")
        return 0
    show(sample())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
