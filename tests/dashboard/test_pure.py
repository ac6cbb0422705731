"""The dashboard's pure layer (no streamlit): queries, charts, exports."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from core.settings import Settings
from core.store import ArticleFilter
from dashboard import charts, exports, queries


def test_queries_on_basil(basil_db: Path) -> None:
    settings = Settings.load(environ={})
    options = queries.filter_options(str(basil_db), settings)
    assert options.outlets == ("Fox News", "HuffPost", "The New York Times")
    assert len(options.stories) == 76 and options.articles == 228
    table = queries.outlet_view(str(basil_db), ArticleFilter(), settings)
    assert table["outlet"].tolist() == list(options.outlets)
    assert queries.data_version(str(basil_db), settings) > 0
    assert queries.data_version(str(basil_db) + ".missing", settings) == -1


def test_chart_has_one_point_per_outlet_and_a_light_template(basil_db: Path) -> None:
    table = queries.outlet_view(str(basil_db), ArticleFilter(), Settings.load(environ={}))
    figure = charts.tone_interval_chart(table)
    trace = figure.data[0]
    assert sorted(trace.y) == sorted(table["outlet"])
    assert list(trace.x) == sorted(table["tone_mean"])
    assert figure.layout.template.layout.paper_bgcolor in ("white", "#fff", "#ffffff", "rgb(255,255,255)")


def test_csv_download_is_the_table_on_screen(basil_db: Path) -> None:
    table = queries.outlet_view(str(basil_db), ArticleFilter(), Settings.load(environ={}))
    parsed = pd.read_csv(io.BytesIO(exports.csv_bytes(table)))
    pd.testing.assert_frame_equal(parsed, table.astype(parsed.dtypes.to_dict()), check_exact=False)
    assert exports.file_stem("outlets", ArticleFilter(story_id="a/b c", since="2019-01-01")) == \
        "outlets_a-b-c_2019-01-01"


def test_empty_store_help_names_the_commands() -> None:
    text = queries.empty_store_help("data/x.db")
    assert "python -m scrapers import" in text and "python -m analysis run --db data/x.db" in text
