"""Score the stored articles that the current version of each scorer has not scored yet.

Each batch is read, scored and written in one transaction, so a run killed at any
moment and started again scores each article once: what was committed is skipped,
what was not is redone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from analysis import registry
from analysis.base import Scorer
from core.settings import Settings
from core.store import ScoreBatch, Store

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """Articles scored per scorer, and how long it took."""

    scored: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        if not self.scored:
            return "no scorer ran"
        parts = []
        for name, count in self.scored.items():
            seconds = self.seconds.get(name, 0.0)
            rate = f", {count / seconds:.0f} articles/s" if count and seconds > 0 else ""
            parts.append(f"{name}: {count} articles scored in {seconds:.1f} s{rate}")
        return "\n".join(parts)


def score_pending(store: Store, scorer: Scorer, settings: Settings, run_id: int | None = None) -> int:
    """Score every article that lacks a current score from ``scorer``; return how many."""
    pending = store.unscored(scorer.name, scorer.version)
    done = 0
    for start in range(0, len(pending), settings.batch_size):
        ids = pending[start:start + settings.batch_size]
        articles = store.articles(ids=ids, with_text=True)
        result = scorer.score(articles)
        store.write_scores(
            ScoreBatch(
                scorer=scorer.name,
                version=scorer.version,
                content_hashes=dict(zip(articles["id"], articles["content_hash"])),
                scores=result.articles,
                evidence=result.evidence,
            ),
            run_id=run_id,
        )
        done += len(ids)
        log.info("%s: %d / %d articles scored", scorer.name, done, len(pending))
    return done


def run(store: Store, settings: Settings, scorer_names: Sequence[str] = ()) -> RunReport:
    """Apply the named scorers (default: the default ones) to every article not yet scored."""
    names = list(scorer_names) or registry.default_names()
    scorers = [registry.get(name) for name in names]  # unknown names fail before any work
    run_id = store.start_run("analysis run " + " ".join(names), settings.as_dict(),
                             {s.name: s.version for s in scorers})
    report = RunReport()
    status = "failed"
    try:
        for scorer in scorers:
            began = time.perf_counter()
            report.scored[scorer.name] = score_pending(store, scorer, settings, run_id)
            report.seconds[scorer.name] = time.perf_counter() - began
        status = "done"
    finally:
        store.finish_run(run_id, {"scored": report.scored}, status)
    return report
