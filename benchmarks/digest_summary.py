"""*What's happened* against AllSides' own neutral summaries, beside Lead-3, in the same run.

Each allsides_abp roundup story (2-3 articles of a left, a centre and a right outlet) carries
AllSides' neutral summary (``labels.story_summary_allsides``). For each story: the digest's
*What's happened* (analysis.digest.sections.whats_happened on the story's sentence table) and
Lead-3 (the first three sentences of the story's earliest article, ties by id) are scored
against that summary with ROUGE-1 and ROUGE-2 F1 (lower-cased alphanumeric tokens, no stemming;
``--stem`` applies NLTK's Porter stemmer as rouge-score's use_stemmer does). Reports the means,
the ratio of the digest's ROUGE-2 to Lead-3's, and the mean words of each, per NeuS split
(the story id's ``train`` / ``val`` / ``test``; tune on train, report val and test), with a 95%
bootstrap interval of the ratio (stories resampled, ``--bootstrap`` times, seed 0).

    OMP_NUM_THREADS=1 python benchmarks/digest_summary.py [--split val,test] [--limit N] [--bootstrap 1000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.digest.sections import sentence_table, whats_happened  # noqa: E402
from analysis.text import sentences as splitter  # noqa: E402  (after the path insert)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "allsides_abp" / "articles.jsonl.gz"
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str, stem: Callable[[str], str] | None = None) -> list[str]:
    """Return lower-cased alphanumeric tokens (stemmed when ``stem`` is given)."""
    found = _TOKEN.findall(text.lower())
    return [stem(t) for t in found] if stem else found


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    """Return ROUGE-N F1 of two token lists.

    >>> round(rouge_n("the cat sat".split(), "the cat ran".split(), 1), 3)
    0.667
    """
    cand = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
    ref = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((cand & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(cand.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def load_stories(path: Path, splits: set[str]) -> dict[str, tuple[str, pd.DataFrame]]:
    """Return {story id: (AllSides summary, its articles)} for the stories of these NeuS splits."""
    rows: dict[str, list[dict[str, object]]] = defaultdict(list)
    summaries: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            story = record.get("story_id")
            summary = (record.get("labels") or {}).get("story_summary_allsides")
            if not story or not summary or story.split("-")[2] not in splits:
                continue
            summaries[story] = summary
            rows[story].append({k: record.get(k) for k in ("id", "outlet", "url", "title", "published", "text")})
    return {s: (summaries[s], pd.DataFrame(rows[s])) for s in sorted(rows)}


def lead3(articles: pd.DataFrame) -> str:
    """Return the first three sentences of the earliest article (ties by id)."""
    first = articles.assign(_p=articles["published"].fillna("9999")).sort_values(["_p", "id"]).iloc[0]
    return " ".join(splitter.split(str(first["text"] or ""))[:3])


def happened(articles: pd.DataFrame) -> str:
    """Return the digest's What's happened as one text."""
    section = whats_happened(sentence_table(articles))
    return " ".join(item.text for item in section.items)


def ratio_interval(digest: Sequence[float], lead: Sequence[float], resamples: int,
                   seed: int = 0) -> tuple[float, float]:
    """Return the 2.5th and 97.5th percentiles of mean(digest) / mean(lead) over stories resampled with
    replacement (the same stories for both systems in each resample).

    >>> ratio_interval([0.2, 0.2, 0.2], [0.1, 0.1, 0.1], 50)
    (2.0, 2.0)
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    a, b = np.asarray(digest, dtype=float), np.asarray(lead, dtype=float)
    picks = rng.integers(0, len(a), size=(resamples, len(a)))
    ratios = a[picks].mean(axis=1) / np.maximum(b[picks].mean(axis=1), 1e-12)
    return round(float(np.percentile(ratios, 2.5)), 6), round(float(np.percentile(ratios, 97.5)), 6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--split", default="val,test", help="NeuS splits, comma-separated (train, val, test)")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N stories (0: all)")
    parser.add_argument("--stem", action="store_true", help="Porter-stem tokens (NLTK)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="resamples for the ratio's interval (0: none)")
    args = parser.parse_args(argv)
    stem = None
    if args.stem:
        from nltk.stem.porter import PorterStemmer

        stem = PorterStemmer().stem
    stories = load_stories(args.corpus, set(args.split.split(",")))
    if args.limit:
        stories = dict(list(stories.items())[: args.limit])
    started = time.perf_counter()
    scores: dict[str, list[list[float]]] = {"digest": [], "lead3": []}
    for summary, articles in stories.values():
        reference = tokens(summary, stem)
        for name, text in (("digest", happened(articles)), ("lead3", lead3(articles))):
            candidate = tokens(text, stem)
            scores[name].append([rouge_n(candidate, reference, 1), rouge_n(candidate, reference, 2),
                                 len(text.split())])
    seconds = time.perf_counter() - started
    means = {k: [sum(col) / len(v) for col in zip(*v)] for k, v in scores.items() if v}
    print(f"stories: {len(stories)} (splits {args.split}), {seconds:.1f} s, stemming {'on' if stem else 'off'}")
    print("| system | ROUGE-1 F1 | ROUGE-2 F1 | words |")
    print("|---|---|---|---|")
    for name, (r1, r2, words) in means.items():
        print(f"| {name} | {r1:.3f} | {r2:.3f} | {words:.0f} |")
    if means.get("lead3") and means["lead3"][1]:
        print(f"\nROUGE-2 ratio digest / Lead-3: {means['digest'][1] / means['lead3'][1]:.2f}")
        if args.bootstrap:
            low, high = ratio_interval([s[1] for s in scores["digest"]], [s[1] for s in scores["lead3"]],
                                       args.bootstrap)
            print(f"95% bootstrap interval (stories resampled {args.bootstrap} times): {low:.2f} to {high:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
