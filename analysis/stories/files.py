"""Story grouping on files: articles JSONL in, story assignments JSONL out, and the pairwise
scores that judge a grouping against gold stories (``python -m analysis stories --in FILE
--out FILE``; benchmarks/stories.py).

The grouping itself is analysis/stories/grouping.py's (events) and analysis/stories/linking.py's (stories).
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.stories.grouping import REQUIRED_COLUMNS, StoryIndex, StoryParams, published_day
from analysis.stories.linking import Grouping, LinkParams, group_articles
from core.errors import InputError
from core.jsonl import read_objects

logger = logging.getLogger(__name__)

_STRING_FIELDS = ("title", "text")
_OPTIONAL_FIELDS = ("outlet", "url", "published", "story_id")


def _validated(record: object, source: str, line: int, seen: set[str]) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object, got {type(record).__name__}", source=source, line=line)
    article_id = record.get("id")
    if not isinstance(article_id, str) or not article_id:
        raise InputError("field 'id' must be a non-empty string", source=source, line=line)
    if article_id in seen:
        raise InputError(f"duplicate id {article_id!r}", source=source, line=line)
    for name in _STRING_FIELDS:
        if name not in record:
            raise InputError(f"missing field {name!r} (need {', '.join(REQUIRED_COLUMNS)})", source=source, line=line)
        if not isinstance(record[name], str):
            raise InputError(f"field {name!r} must be a string, got {type(record[name]).__name__}",
                             source=source, line=line)
    for name in _OPTIONAL_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError(f"field {name!r} must be a string or null, got {type(value).__name__}",
                             source=source, line=line)
    published = record.get("published")
    if published and math.isnan(published_day(published)):
        raise InputError(f"field 'published' is not an ISO date (YYYY-MM-DD...): {published!r}",
                         source=source, line=line)
    if not record["title"].strip() and not record["text"].strip():
        raise InputError("the article has neither a title nor a text", source=source, line=line)
    return {"id": article_id, "outlet": record.get("outlet"), "url": record.get("url"), "title": record["title"],
            "published": published or None, "text": record["text"], "story_id": record.get("story_id") or None}


def read_articles_jsonl(path: str | Path) -> pd.DataFrame:
    """Read and validate an articles JSONL file (``.gz`` too); raise InputError naming file and line.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     bad = os.path.join(tmp, "in.jsonl")
    ...     _ = open(bad, "w").write('{"id": "a", "title": "T"}\\n')
    ...     read_articles_jsonl(bad)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    core.errors.InputError: .../in.jsonl:1: missing field 'text' (need id, outlet, url, title, published, text)
    """
    source = str(path)
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line_no, record in read_objects(path, allow_empty=True):
        article = _validated(record, source, line_no, seen)
        seen.add(article["id"])
        records.append(article)
    if not records:
        raise InputError("no articles in the file", source=source)
    return pd.DataFrame.from_records(records, columns=[*REQUIRED_COLUMNS, "story_id"])


def write_assignments_jsonl(grouping: Grouping, path: str | Path) -> None:
    """Write ``{"id", "story", "event", "story_label", "event_label"}`` lines, one per article, input order."""
    story_label = dict(zip(grouping.stories["story"], grouping.stories["label"]))
    event_label = dict(zip(grouping.events["event"], grouping.events["label"]))
    rows = grouping.articles
    with open(path, "w", encoding="utf-8") as fh:
        for article_id, story, event in zip(rows["id"].tolist(), rows["story"].tolist(), rows["event"].tolist()):
            record = {"id": article_id, "story": story, "event": event, "story_label": story_label.get(story),
                      "event_label": event_label.get(event)}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def stories_jsonl(in_path: str | Path, out_path: str | Path, params: StoryParams = StoryParams(),
                  index_path: str | Path | None = None, links: LinkParams = LinkParams()) -> Grouping:
    """Group the articles of a JSONL file into events and stories; write one line per article.

    Each line is ``{"id", "story", "event", "story_label", "event_label"}``: ``story`` the
    multi-day story, ``event`` the one-or-two-day happening inside it.

    With ``index_path``, an existing index there is extended (incremental) and the updated
    index is written back.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     src, dst = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
    ...     _ = open(src, "w").write(json.dumps({"id": "a", "outlet": "A", "url": None, "title": "Storm",
    ...                                          "published": "2024-02-01", "text": "A storm."}) + "\\n")
    ...     result = stories_jsonl(src, dst)
    ...     json.loads(open(dst).read())["story"], json.loads(open(dst).read())["event"]
    ('st-ca978112ca1bbdca', 'ev-ca978112ca1bbdca')
    """
    articles = read_articles_jsonl(in_path)
    existing = None
    if index_path is not None and Path(index_path).exists():
        existing = StoryIndex.load(index_path)
    result = group_articles(articles, existing=existing, params=params, links=links)
    write_assignments_jsonl(result, out_path)
    if index_path is not None:
        result.index.save(index_path)
    logger.info("%s", result.summary())
    return result


def pairwise_scores(gold: Sequence[str | None], predicted: Sequence[str],
                    focus: Sequence[bool] | None = None) -> dict[str, float]:
    """Return pairwise precision, recall and F1 over the articles that have a gold story.

    A predicted pair (two gold-labelled articles in one predicted story) is correct when
    both have the same gold story; recall is over the gold pairs. With ``focus`` (a flag per
    article, e.g. the stories of a held-out half), recall counts the gold pairs inside the
    focus and precision the predicted pairs inside it plus half of those between a focus
    and an outside article (a false merge across the line is shared by both sides, so the
    two halves of a split add up to the whole).

    >>> pairwise_scores(["s1", "s1", "s2", None], ["a", "a", "a", "a"])
    {'precision': 0.333..., 'recall': 1.0, 'f1': 0.5, 'gold_pairs': 1, 'predicted_pairs': 3.0}
    """
    flags = [True] * len(gold) if focus is None else list(focus)
    by_predicted: dict[str, list[tuple[str, bool]]] = {}
    for g, p, f in zip(gold, predicted, flags):
        if g is not None:
            by_predicted.setdefault(p, []).append((g, f))
    true_pairs = predicted_pairs = 0.0
    for members in by_predicted.values():
        if len(members) < 2:
            continue
        inside = Counter(g for g, f in members if f)
        outside = Counter(g for g, f in members if not f)
        n_in, n_out = sum(inside.values()), sum(outside.values())
        predicted_pairs += n_in * (n_in - 1) // 2 + 0.5 * n_in * n_out
        true_pairs += sum(c * (c - 1) // 2 + 0.5 * c * outside.get(g, 0) for g, c in inside.items())
    gold_pairs = sum(c * (c - 1) // 2 for c in Counter(g for g, f in zip(gold, flags) if g is not None and f).values())
    precision = true_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = true_pairs / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "gold_pairs": gold_pairs,
            "predicted_pairs": predicted_pairs}


