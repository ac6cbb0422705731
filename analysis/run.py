"""Score the stored articles that the current version of each scorer has not scored yet.

Each batch is read, scored and written in one transaction, so a run killed at any
moment and started again scores each article once: what was committed is skipped,
what was not is redone. With more than one batch to do, batches are scored in a pool
of worker processes (setting ``workers``), or on a Dask cluster (analysis/cluster.py), while
this process reads the next batches and writes finished ones: the store is only ever written from here.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from analysis import registry
from analysis.base import Scorer, Scores
from analysis.cluster import Cluster
from core.settings import Settings
from core.store import ScoreBatch, Store

log = logging.getLogger(__name__)

# The languages every scorer reads (VADER, the English MiniLM model, the English cue lexicons and quote
# rules): an article stored with another language is left unscored, never scored as if it were English.
SCORED_LANGUAGES = ("en",)
# The news tone model's scorer: added to the defaults on stores of up to news_tone_max_articles.
NEWS_TONE = "tone_news"
# Worker processes when the setting is 0 (automatic): one per CPU, at most this many.
MAX_AUTO_WORKERS = 4
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class RunReport:
    """Articles scored per scorer, how long it took, and which tone measure the run chose."""

    scored: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    tone: str = ""
    unscored_languages: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        left = ""
        if self.unscored_languages:
            by = ", ".join(f"{lang} {n}" for lang, n in sorted(self.unscored_languages.items(), key=lambda kv: -kv[1]))
            left = (f"left unscored: {sum(self.unscored_languages.values())} articles in languages no scorer reads "
                    f"({by})")
        if not self.scored:
            return "\n".join(p for p in ("no scorer ran", self.tone, left) if p)
        parts = [p for p in (self.tone, left) if p]
        for name, count in self.scored.items():
            seconds = self.seconds.get(name, 0.0)
            rate = f", {count / seconds:.0f} articles/s" if count and seconds > 0 else ""
            parts.append(f"{name}: {count} articles scored in {seconds:.1f} s{rate}")
        return "\n".join(parts)


def worker_count(settings: Settings, batches: int) -> int:
    """Return how many processes score ``batches`` batches (1: score in this process).

    >>> worker_count(Settings(workers=3), 10), worker_count(Settings(workers=3), 1)
    (3, 1)
    """
    return max(1, min(wanted_workers(settings), batches)) if batches > 1 else 1


def wanted_workers(settings: Settings) -> int:
    """Return the workers the setting asks for: ``workers``, or one per CPU (at most 4) when it is 0.

    >>> wanted_workers(Settings(workers=3))
    3
    """
    return settings.workers or min(os.cpu_count() or 1, MAX_AUTO_WORKERS)


def _die_with_parent() -> None:
    """Worker initialiser: on Linux, end this worker when the run process is killed."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        pass


def _score_batch(name: str, articles: pd.DataFrame) -> Scores:
    return registry.get(name).score(articles)


def _write(store: Store, scorer: Scorer, articles: pd.DataFrame, result: Scores, run_id: int | None) -> None:
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


def _batches(store: Store, pending: list[str], size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(pending), size):
        yield store.articles(ids=pending[start:start + size], with_text=True)


def score_pending(store: Store, scorer: Scorer, settings: Settings, run_id: int | None = None,
                  cluster: Cluster | None = None) -> int:
    """Score every article that lacks a current score from ``scorer``; return how many.

    With ``cluster``, every batch is scored there; else in this process or the local pool.
    """
    foreign = store.foreign_language(SCORED_LANGUAGES)
    pending = [i for i in store.unscored(scorer.name, scorer.version) if i not in foreign]
    n_batches = -(-len(pending) // settings.batch_size)
    if cluster is not None:
        return _score_on(cluster.submit, cluster.slots, store, scorer, settings, pending, run_id)
    workers = worker_count(settings, n_batches)
    done = 0
    if workers == 1:
        for articles in _batches(store, pending, settings.batch_size):
            _write(store, scorer, articles, scorer.score(articles), run_id)
            done += len(articles)
            log.info("%s: %d / %d articles scored", scorer.name, done, len(pending))
        return done
    context = multiprocessing.get_context("fork")  # workers inherit the loaded registry; they never touch the store
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent) as pool:
        return _score_on(pool.submit, workers, store, scorer, settings, pending, run_id)


def _score_on(submit: Callable[..., Future[Scores]], slots: int, store: Store, scorer: Scorer, settings: Settings,
              pending: list[str], run_id: int | None) -> int:
    """Send batches to ``submit`` (``slots`` at work, one more queued) and write the results in order."""
    done = 0
    inflight: deque[tuple[pd.DataFrame, Future[Scores]]] = deque()
    for articles in _batches(store, pending, settings.batch_size):
        inflight.append((articles, submit(_score_batch, scorer.name, articles)))
        while len(inflight) > slots:
            done += _finish(store, scorer, inflight.popleft(), run_id)
            log.info("%s: %d / %d articles scored", scorer.name, done, len(pending))
    while inflight:
        done += _finish(store, scorer, inflight.popleft(), run_id)
        log.info("%s: %d / %d articles scored", scorer.name, done, len(pending))
    return done


def _finish(store: Store, scorer: Scorer, item: tuple[pd.DataFrame, Future[Scores]], run_id: int | None) -> int:
    articles, future = item
    _write(store, scorer, articles, future.result(), run_id)
    return len(articles)


def default_scorers(articles: int, settings: Settings) -> tuple[list[str], str]:
    """Return the scorers a plain ``analysis run`` applies to a store of ``articles``, and why.

    The registry's defaults (``tone_vader`` among them: cheap, and every view's fallback), plus the
    news tone model (``tone_news``, the valid measure) while the store holds at most
    ``news_tone_max_articles`` articles.

    >>> names, why = default_scorers(300, Settings(news_tone_max_articles=5000))
    >>> "tone_news" in names and "tone_vader" in names, why.split(": the")[0]
    (True, 'tone: news model (tone_news)')
    >>> "tone_news" in default_scorers(6000, Settings(news_tone_max_articles=5000))[0]
    False
    """
    names = registry.default_names()
    limit = settings.news_tone_max_articles
    if 0 < limit and articles <= limit:
        why = (f"tone: news model (tone_news): the store holds {articles} articles, at most "
               f"news_tone_max_articles = {limit}; VADER (tone_vader) is scored too, as the fallback")
        return [*(n for n in names if n != NEWS_TONE), NEWS_TONE], why  # the costly one last, the fallback first
    why = (f"tone: VADER (tone_vader) only: the store holds {articles} articles, more than "
           f"news_tone_max_articles = {limit} (python -m analysis run --scorer tone_news scores the news model anyway)")
    return names, why


def run(store: Store, settings: Settings, scorer_names: Sequence[str] = (),
        cluster: Cluster | None = None) -> RunReport:
    """Apply the named scorers (default: :func:`default_scorers` for this store) to every article not yet scored.

    ``cluster``: score the batches on a Dask cluster (:func:`analysis.cluster.dask_cluster`) instead of locally.
    """
    report = RunReport()
    if scorer_names:
        names = list(scorer_names)
    else:
        names, report.tone = default_scorers(store.count("articles"), settings)
    scorers = [registry.get(name) for name in names]  # unknown names fail before any work
    for language in store.foreign_language(SCORED_LANGUAGES).values():
        report.unscored_languages[language] = report.unscored_languages.get(language, 0) + 1
    where = "" if cluster is None else f" --executor dask --scheduler {cluster.address}"
    run_id = store.start_run("analysis run " + " ".join(names) + where, settings.as_dict(),
                             {s.name: s.version for s in scorers})
    status = "failed"
    try:
        for scorer in scorers:
            began = time.perf_counter()
            report.scored[scorer.name] = score_pending(store, scorer, settings, run_id, cluster)
            report.seconds[scorer.name] = time.perf_counter() - began
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        store.finish_run(run_id, {"scored": report.scored}, status)
    return report
