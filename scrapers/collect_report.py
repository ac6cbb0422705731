"""What a collection run did, counted: the report ``scrapers.pipeline.collect`` returns.

    report = collect(store, story, settings, policy=policy)
    print(report.summary())
    # 57 candidates (found: 40 feed, 30 sitemap, 12 gdelt); dropped: 20 outside date range, 5 duplicate url
    # fetched 50, reused 2 stored pages, skipped 5 already stored; failed 3: 2 paywalled, 1 timeout
    # stored 47 new articles from 9 outlets; 12 syndicated copies in 5 groups (8 of AP stories)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from core.errors import PressLensError


class NetworkUnavailable(PressLensError):
    """A step needed the network and could not reach it (``step`` names the step, ``url`` what was asked)."""

    def __init__(self, step: str, url: str, reason: str) -> None:
        self.step = step
        self.url = url
        self.reason = reason
        super().__init__(f"{step}: cannot reach {url}: {reason}")


@dataclass
class CollectReport:
    """Counts of one collection: discovery, fetching, extraction, storing, syndication."""

    story: str | None = None
    found: Counter[str] = field(default_factory=Counter)  # candidates per source kind, before filtering
    dropped: Counter[str] = field(default_factory=Counter)  # drop reasons (discovery and after extraction)
    notes: Counter[str] = field(default_factory=Counter)  # "kept: ..." notes of discovery
    candidates: int = 0  # kept by discovery
    already_stored: int = 0  # skipped: the article is in the store
    failed_before: int = 0  # skipped: a permanent failure is on record
    reused_pages: int = 0  # extracted from a stored page, not refetched
    fetched: int = 0  # pages fetched now
    failed: Counter[str] = field(default_factory=Counter)  # failures by kind (fetch and extraction)
    source_failures: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    outlets: set[str] = field(default_factory=set)  # outlets of the articles stored by this run
    groups: int = 0  # syndication groups of two or more articles in the story
    copies: int = 0  # articles that are a copy of another in their group
    copies_by_agency: Counter[str] = field(default_factory=Counter)  # copies of wire stories, by agency
    seconds: float = 0.0
    extract_seconds: float = 0.0
    messages: list[str] = field(default_factory=list)  # discovery notes (GDELT reach ...)
    sources_reached: int = 0  # feeds, sitemaps, GDELT calls and lists that answered
    window_end: str | None = None  # `collect --latest`: where this run's window ends (the next run starts there)

    @property
    def reached_nothing(self) -> bool:
        """Whether no source answered and no page was fetched (offline, or every request refused)."""
        return self.sources_reached == 0 and self.fetched == 0 and self.reused_pages == 0

    @property
    def stored(self) -> int:
        """Articles new or changed in the store."""
        return self.inserted + self.updated

    def as_counts(self) -> dict[str, Any]:
        """Return the counts recorded with the run (``runs.counts``)."""
        return {
            "found": dict(self.found), "dropped": dict(self.dropped), "candidates": self.candidates,
            "already_stored": self.already_stored, "failed_before": self.failed_before,
            "reused_pages": self.reused_pages, "fetched": self.fetched, "failed": dict(self.failed),
            "source_failures": len(self.source_failures), "inserted": self.inserted, "updated": self.updated,
            "unchanged": self.unchanged, "outlets": len(self.outlets), "syndication_groups": self.groups,
            "syndicated_copies": self.copies, "copies_by_agency": dict(self.copies_by_agency),
            "seconds": round(self.seconds, 2),
            "extract_seconds": round(self.extract_seconds, 2), "sources_reached": self.sources_reached,
            **({"window_end": self.window_end} if self.window_end else {}),
        }

    def summary(self) -> str:
        """Return the closing report: one line per stage.

        >>> r = CollectReport(found=Counter(feed=3), dropped=Counter({"outside date range": 1}), candidates=2,
        ...                   fetched=2, failed=Counter(timeout=1), inserted=1, outlets={"E"})
        >>> print(r.summary())
        2 candidates (found: 3 feed); dropped: 1 outside date range
        fetched 2; failed 1: 1 timeout
        stored 1 new articles from 1 outlets; no syndicated copies
        """
        found = ", ".join(f"{n} {kind}" for kind, n in sorted(self.found.items())) or "none"
        lines = [f"{self.candidates} candidates (found: {found})"]
        if self.dropped:
            lines[0] += "; dropped: " + ", ".join(f"{n} {reason}" for reason, n in self.dropped.most_common())
        if self.source_failures:
            lines[0] += f"; {len(self.source_failures)} sources failed"
        fetch = f"fetched {self.fetched}"
        if self.reused_pages:
            fetch += f", reused {self.reused_pages} stored pages"
        if self.already_stored:
            fetch += f", skipped {self.already_stored} already stored"
        if self.failed_before:
            fetch += f", skipped {self.failed_before} that failed before"
        total = sum(self.failed.values())
        if total:
            fetch += f"; failed {total}: " + ", ".join(f"{n} {kind}" for kind, n in self.failed.most_common())
        lines.append(fetch)
        stored = f"stored {self.inserted} new articles from {len(self.outlets)} outlets"
        if self.updated:
            stored += f", updated {self.updated}"
        if self.copies:
            stored += f"; {self.copies} syndicated copies in {self.groups} groups"
            if self.copies_by_agency:
                stored += " (" + ", ".join(f"{n} of {agency} stories" for agency, n in
                                           self.copies_by_agency.most_common()) + ")"
        else:
            stored += "; no syndicated copies"
        lines.append(stored)
        lines.extend(self.messages)
        return "\n".join(lines)
