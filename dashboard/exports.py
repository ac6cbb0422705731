"""Downloads built from exactly what is on screen.

Tables: formula-safe CSV with the outlet in every row. Charts: PNG and SVG
(kaleido, with Debian's chromium) and standalone HTML. A story bundle: one zip
with the CSVs, the charts and a methodology JSON (query, each article's URL and
content hash, scorer names and versions).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from core.store import ArticleFilter
from core.tabular import formula_safe, to_csv

IMAGE_SCALE = 2  # PNGs at twice the layout size: sharp in slides and reports
IMAGE_WIDTH = 1000  # px before scaling: a page-wide figure in a report
DEFAULT_HEIGHT = 450


def csv_bytes(table: pd.DataFrame) -> bytes:
    """Return the table as formula-safe UTF-8 CSV bytes."""
    return to_csv(table).encode("utf-8")


def figure_bytes(figure: go.Figure, fmt: str) -> bytes:
    """Return a chart as PNG, SVG or standalone HTML (plotly.js inlined: opens offline)."""
    if fmt == "html":
        return figure.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown chart format {fmt!r}; valid: png, svg, html")
    height = int(figure.layout.height or DEFAULT_HEIGHT)
    return figure.to_image(format=fmt, width=IMAGE_WIDTH, height=height, scale=IMAGE_SCALE if fmt == "png" else 1)


def file_stem(name: str, flt: ArticleFilter) -> str:
    """Return a file name stem that says what the download holds, the outlet and group filters included.

    >>> file_stem("tone", ArticleFilter(story_id="s1", outlets=("Reuters", "AP", "BBC")))
    'tone_s1_Reuters-AP-1more'
    """
    picked = [*flt.outlets, *flt.groups]
    chosen = "-".join(picked[:2]) + (f"-{len(picked) - 2}more" if len(picked) > 2 else "")
    parts = [name, flt.story_id or flt.topic or "all", chosen, flt.language or "", flt.since or "", flt.until or ""]
    stem = "_".join(p for p in parts if p)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem)[:120]


def methodology_json(flt: ArticleFilter, articles: pd.DataFrame, scorers: pd.DataFrame) -> dict[str, Any]:
    """Return what an analyst cites: the query, every article (outlet, URL, hash), scorer versions.

    Only the scorers that produced a number in this selection are listed.
    """
    produced = {c.split(".", 1)[0] for c in articles.columns if "." in c and articles[c].notna().any()}
    scorers = scorers[scorers["scorer"].isin(produced)]
    listed = formula_safe(articles[[c for c in ("id", "outlet", "title", "published", "url", "content_hash")
                                    if c in articles.columns]])
    return {
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "query": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(flt).items()},
        "articles": json.loads(listed.to_json(orient="records")),
        "scorers": json.loads(scorers[["scorer", "version", "metrics"]].to_json(orient="records")),
    }


def bundle(tables: dict[str, pd.DataFrame], figures: dict[str, go.Figure], methodology: dict[str, Any],
           *, images: bool = True) -> bytes:
    """Return a zip with every table as CSV, every chart as HTML (and PNG/SVG), and methodology.json."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, table in tables.items():
            archive.writestr(f"tables/{name}.csv", csv_bytes(table))
        for name, figure in figures.items():
            archive.writestr(f"charts/{name}.html", figure_bytes(figure, "html"))
            if images:
                archive.writestr(f"charts/{name}.png", figure_bytes(figure, "png"))
                archive.writestr(f"charts/{name}.svg", figure_bytes(figure, "svg"))
        archive.writestr("methodology.json", json.dumps(methodology, indent=2, ensure_ascii=False))
    return buffer.getvalue()
