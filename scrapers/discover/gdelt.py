"""GDELT DOC 2.0 article lists: the API URL, its JSON answer -> candidates, and window slicing under its cap.

Never does HTTP: the caller passes ``fetch_json(url) -> object``. Every public
name is also importable from ``scrapers.discover.sources``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from core.errors import InputError
from scrapers.discover.candidates import Candidate, make_candidate
from scrapers.outlets import outlet_for_url

log = logging.getLogger(__name__)

JsonGetter = Callable[[str], Any]

GDELT_API = "https://api.gdeltproject.org/api/v2/doc/doc"
# The DOC 2.0 API returns at most 250 records per call in artlist mode (its documented maximum).
GDELT_CAP = 250
# Halving depth bound: 2**8 = 256 slices of a 30-day window are ~3 hours each, finer than
# GDELT's 15-minute update cycle makes useful for one outlet group; past it we keep the capped list.
GDELT_MAX_DEPTH = 8
# Never split below this: GDELT's index advances in 15-minute steps.
GDELT_MIN_SLICE = timedelta(minutes=15)
# Domains OR-ed in one query. GDELT rejects over-long queries; 8 short domains stay well under
# the lengths seen to work (an assumption: the limit is not documented).
GDELT_DOMAINS_PER_CALL = 8
# The DOC API searches a rolling window of about the last three months; older windows are
# asked anyway (the limit may change) but flagged in the report.
GDELT_REACH = timedelta(days=92)


def gdelt_url(query: str, start: datetime, end: datetime, domains: Sequence[str] = (),
              max_records: int = GDELT_CAP, api: str = GDELT_API) -> str:
    """Return the DOC 2.0 API URL of an article list for a query, window and domain filter.

    >>> gdelt_url("china", datetime(2025, 6, 1), datetime(2025, 6, 2), ["reuters.com"]).split("?")[1][:64]
    'query=china%20domainis%3Areuters.com&mode=artlist&maxrecords=250'
    """
    text = query
    if domains:
        filters = [f"domainis:{d}" for d in domains]
        text += " " + (filters[0] if len(filters) == 1 else "(" + " OR ".join(filters) + ")")
    return (f"{api}?query={quote(text)}&mode=artlist&maxrecords={max_records}&format=json&sort=datedesc"
            f"&startdatetime={start:%Y%m%d%H%M%S}&enddatetime={end:%Y%m%d%H%M%S}")


def parse_gdelt(data: Any, url: str, outlets: dict[str, dict[str, Any]] | None = None) -> list[Candidate]:
    """Return the articles of a DOC 2.0 artlist JSON response (``{}`` means none).

    >>> parse_gdelt({"articles": [{"url": "https://e.com/a", "title": "T", "seendate": "20250610T083000Z",
    ...                            "domain": "e.com"}]}, "api")[0].published
    '2025-06-10T08:30:00'
    """
    if not isinstance(data, dict):
        raise InputError(f"GDELT answered {type(data).__name__}, not a JSON object", source=url)
    records = data.get("articles", [])
    if not isinstance(records, list):
        raise InputError("GDELT 'articles' is not a list", source=url)
    found = []
    for record in records:
        if not isinstance(record, dict) or not record.get("url"):
            continue
        seen = record.get("seendate") or ""
        try:
            published = datetime.strptime(seen, "%Y%m%dT%H%M%SZ").isoformat() if seen else None
        except ValueError:
            published = None
        link = str(record["url"])
        outlet = outlet_for_url(link, outlets) if outlets is not None else record.get("domain")
        candidate = make_candidate(link, outlet=outlet, title=record.get("title"), published=published, kind="gdelt",
                               source=url)
        if candidate is not None:
            found.append(candidate)
    return found


def gdelt_slices(start: datetime, end: datetime, fetch_json: JsonGetter, query: str,
                 domains: Sequence[str] = (), *, outlets: dict[str, dict[str, Any]] | None = None,
                 max_depth: int = GDELT_MAX_DEPTH, counts: Counter[str] | None = None,
                 api: str = GDELT_API) -> list[Candidate]:
    """Collect GDELT's article list for a window, halving any slice that returns the 250 cap.

    A slice still at the cap after ``max_depth`` halvings (or at the 15-minute
    floor) is kept as is, and counted as ``"gdelt slice truncated"`` in ``counts``.

    >>> def fake(url):  # 300 articles in the window: the first call hits the cap
    ...     n = 300 if "20250601000000" in url and "20250603000000" in url else 150
    ...     return {"articles": [{"url": f"https://e.com/{url[-29:]}/{i}"} for i in range(min(n, 250))]}
    >>> len(gdelt_slices(datetime(2025, 6, 1), datetime(2025, 6, 3), fake, "china"))
    300
    """
    tally = counts if counts is not None else Counter()
    found: list[Candidate] = []

    def visit(low: datetime, high: datetime, depth: int) -> None:
        url = gdelt_url(query, low, high, domains, api=api)
        batch = parse_gdelt(fetch_json(url), url, outlets)
        tally["gdelt calls"] += 1
        if len(batch) >= GDELT_CAP:
            middle = (low + (high - low) / 2).replace(microsecond=0)
            if depth < max_depth and high - low > GDELT_MIN_SLICE * 2:
                visit(low, middle, depth + 1)
                visit(middle + timedelta(seconds=1), high, depth + 1)
                return
            tally["gdelt slice truncated"] += 1
            log.warning("GDELT slice %s..%s still returns the %d cap: some articles missed", low, high, GDELT_CAP)
        found.extend(batch)

    visit(start, end, 0)
    return found
