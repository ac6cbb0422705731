"""Plotly figures for the dashboard, as pure functions of the tables on screen.

Every figure carries an explicit light template: importing streamlit sets
plotly's default template to one whose colours only a browser fills in, so a
figure exported to PNG, SVG or HTML without its own template comes out black.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard import sets

TEMPLATE = "plotly_white"
TONE_COLOR = "#1f6fb4"
SMALL_N_COLOR = "#9a9a9a"
PALETTE = px.colors.qualitative.Safe + px.colors.qualitative.Pastel
TONE_LABELS = {"tone": "article tone", "headline_tone": "headline tone"}


def _finish(figure: go.Figure, title: str, **layout: object) -> go.Figure:
    figure.update_layout(template=TEMPLATE, title=title, margin={"l": 10, "r": 10, "t": 60, "b": 40},
                         font={"family": "Arial, sans-serif"}, **layout)
    return figure


def interval_chart(table: pd.DataFrame, *, prefix: str = "tone", label: str = "tone",
                   title: str | None = None, name: str = "outlet") -> go.Figure:
    """Return a dot-and-whisker chart of each row's mean with its 95% interval (``{prefix}_mean/low/high``).

    Every label carries its n; a row of fewer than ``sets.MIN_ARTICLES_FOR_INTERVAL`` articles is
    drawn as a hollow grey dot with no whisker (its interval would look precise and is not). At
    most ``sets.MAX_CHART_ROWS`` rows, the largest, so an export stays slide-sized.
    """
    data = table.dropna(subset=[f"{prefix}_mean"])
    data, _ = sets.chart_rows(data, name=name)
    data = data.sort_values(f"{prefix}_mean")
    n = data["articles"] if "articles" in data else pd.Series(0, index=data.index)
    labels = [sets.with_n(o, k) for o, k in zip(data[name], n)]
    small = (n < sets.MIN_ARTICLES_FOR_INTERVAL).to_numpy()
    mean = data[f"{prefix}_mean"]
    low = (mean - data[f"{prefix}_low"]).fillna(0).where(~small, 0)
    high = (data[f"{prefix}_high"] - mean).fillna(0).where(~small, 0)
    figure = go.Figure()
    for rows, colour, symbol, note in ((~small, TONE_COLOR, "circle", "95% interval"),
                                       (small, SMALL_N_COLOR, "circle-open", "too few articles for an interval")):
        if not rows.any():
            continue
        figure.add_trace(go.Scatter(
            x=mean[rows], y=[lab for lab, keep in zip(labels, rows) if keep], mode="markers",
            marker={"color": colour, "size": 9, "symbol": symbol}, name=note, showlegend=bool(small.any()),
            error_x={"type": "data", "symmetric": False, "array": high[rows], "arrayminus": low[rows],
                     "color": colour, "thickness": 1.5, "visible": note == "95% interval"},
            hovertemplate=f"%{{y}}<br>mean %{{x:.3f}}<br>{note}<extra></extra>"))
    figure.add_vline(x=0, line_width=1, line_color="#999999")
    figure.update_yaxes(categoryorder="array", categoryarray=labels)
    return _finish(figure, title or f"Mean {label} per {name} (95% bootstrap interval; n articles)",
                   xaxis_title=f"mean {label} (-1 to +1)", yaxis_title=None,
                   height=max(280, 26 * len(data) + 120), legend={"orientation": "h", "y": -0.15})


def tone_interval_chart(table: pd.DataFrame, *, metric: str = "tone", title: str | None = None,
                        name: str = "outlet") -> go.Figure:
    """Return the per-outlet (or per-group) tone chart for ``tone`` or ``headline_tone``."""
    return interval_chart(table, prefix=metric, label=TONE_LABELS.get(metric, metric), title=title, name=name)


def volume_chart(table: pd.DataFrame, period: str = "D") -> go.Figure:
    """Return stacked bars of articles per period and outlet, on a readable period axis."""
    totals = table.groupby("outlet", sort=False)["articles"].sum()
    labels = {p: sets.period_label(p, period) for p in table["period"].unique()}
    figure = go.Figure()  # one stacked bar trace per outlet, as plotly express draws them (a tenth of its time)
    for i, (outlet, rows) in enumerate(table.groupby("outlet", sort=False)):
        name = sets.with_n(outlet, totals[outlet])
        figure.add_trace(go.Bar(x=rows["period"].map(labels).tolist(), y=rows["articles"].tolist(), name=name,
                                legendgroup=name, marker_color=PALETTE[i % len(PALETTE)],
                                hovertemplate=f"{name}<br>%{{x}}<br>%{{y}} articles<extra></extra>"))
    figure.update_layout(barmode="relative")
    figure.update_xaxes(type="category")
    return _finish(figure, f"Articles per {sets.PERIOD_NAMES.get(period, period)} and outlet", xaxis_title=None,
                   yaxis_title="articles", legend_title_text="outlet (n articles)", height=420)


def tone_distribution_chart(frame: pd.DataFrame, metric: str = "tone_vader.tone",
                            top: int = sets.DEFAULT_TOP) -> go.Figure:
    """Return article tone per outlet: a box where n >= 5, the articles themselves as dots below that."""
    data = frame.dropna(subset=[metric])
    counts = data["outlet"].value_counts().rename_axis("outlet").reset_index(name="articles")
    leaders = sets.ranked(counts).head(top)
    n = dict(zip(leaders["outlet"], leaders["articles"]))
    data = data[data["outlet"].isin(n)].assign(label=lambda d: d["outlet"].map(lambda o: sets.with_n(o, n[o])))
    order = data.groupby("label")[metric].median().sort_values().index.tolist()
    boxed = data[data["outlet"].map(n) >= sets.MIN_ARTICLES_FOR_INTERVAL]
    figure = go.Figure()
    if not boxed.empty:
        figure.add_trace(go.Box(x=boxed[metric], y=boxed["label"], orientation="h", marker_color=TONE_COLOR,
                                boxpoints=False, name="n >= 5: box", showlegend=False))
    dots = data[data["outlet"].map(n) < sets.MIN_ARTICLES_FOR_INTERVAL]
    if not dots.empty:
        figure.add_trace(go.Scatter(x=dots[metric], y=dots["label"], mode="markers", name="n < 5: each article",
                                    marker={"color": SMALL_N_COLOR, "size": 8, "symbol": "circle-open"}))
    figure.add_vline(x=0, line_width=1, line_color="#999999")
    figure.update_yaxes(categoryorder="array", categoryarray=order)
    return _finish(figure, "Article tone per outlet (boxes from 5 articles; fewer: each article a dot)",
                   xaxis_title="article tone (-1 to +1)", yaxis_title=None,
                   height=max(300, 28 * len(order) + 120), legend={"orientation": "h", "y": -0.15})


def tone_time_chart(table: pd.DataFrame, period: str = "D") -> go.Figure:
    """Return tone over time per outlet: the 3-period smoothed mean as a line, each period's mean as a dot.

    Periods with fewer than ``sets.MIN_ARTICLES_PER_PERIOD`` articles have no dot, and the line
    needs as many articles over the period and its neighbours.
    """
    data = table.copy()
    totals = data.groupby("outlet")["articles"].sum()
    data["outlet"] = data["outlet"].map(lambda o: sets.with_n(o, totals[o]))
    data["when"] = data["period"].map(lambda s: sets.period_label(s, period))
    figure = go.Figure()
    for i, (outlet, rows) in enumerate(data.groupby("outlet", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        figure.add_trace(go.Scatter(x=rows["when"], y=rows["smoothed"], mode="lines", name=outlet,
                                    line={"color": colour, "width": 2}, connectgaps=False,
                                    customdata=rows[["articles"]],
                                    hovertemplate="%{x}: smoothed %{y:.3f}<extra>%{fullData.name}</extra>"))
        figure.add_trace(go.Scatter(x=rows["when"], y=rows["tone"], mode="markers", name=outlet, showlegend=False,
                                    marker={"color": colour, "size": 6}, customdata=rows[["articles"]],
                                    hovertemplate="%{x}: %{y:.3f}, n = %{customdata[0]}"
                                                  "<extra>%{fullData.name}</extra>"))
    figure.add_hline(y=0, line_width=1, line_color="#999999")
    figure.update_xaxes(type="category")
    return _finish(figure, f"Mean article tone per {sets.PERIOD_NAMES.get(period, period)} "
                           f"(line: smoothed over 3; dots from {sets.MIN_ARTICLES_PER_PERIOD} articles)",
                   xaxis_title=None, yaxis_title="mean tone", height=420, legend_title_text="outlet (n articles)")


def heatmap(table: pd.DataFrame, *, row: str, column: str, value: str, title: str,
            count: str = "articles") -> go.Figure:
    """Return a heatmap of ``value`` by ``row`` x ``column`` (e.g. outlet x frame share).

    With a ``count`` column, rows are labelled with their n and ordered by it, the largest on top.
    """
    grid = table.pivot_table(index=row, columns=column, values=value, aggfunc="first")
    labels = list(grid.index)
    if count in table:
        n = table.groupby(row)[count].max()
        order = sets.ranked(n.rename_axis(row).reset_index(name=count), name=row, count=count)[row].tolist()
        grid = grid.reindex(order[::-1])  # a heatmap's first row is drawn at the bottom
        labels = [sets.with_n(name, n[name]) for name in grid.index]
    figure = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=labels,
                                  colorscale="Blues", hovertemplate="%{y} · %{x}: %{z:.2f}<extra></extra>"))
    return _finish(figure, title, height=max(300, 26 * len(grid) + 140))


def bar_chart(table: pd.DataFrame, *, x: str, y: str, title: str, color: str | None = None) -> go.Figure:
    """Return a horizontal bar chart (terms, speakers, facets ...)."""
    figure = px.bar(table, x=x, y=y, color=color, orientation="h", color_discrete_sequence=PALETTE)
    figure.update_yaxes(categoryorder="total ascending")
    return _finish(figure, title, height=max(300, 22 * len(table) + 140))


def tone_cell_style(value: object) -> str:
    """Return a CSS background for a score cell: red below zero, blue above, white near zero."""
    if not isinstance(value, (int, float)) or value != value:
        return ""
    strength = min(abs(float(value)), 1.0)
    if strength < 0.05:  # VADER's neutral band
        return ""
    red, green, blue = (214, 96, 77) if value < 0 else (67, 147, 195)
    alpha = 0.15 + 0.6 * strength
    return f"background-color: rgba({red}, {green}, {blue}, {alpha:.2f})"


def count_cell_style(value: object) -> str:
    """Return a grey background that deepens with a count (cue words, quotes): not the tone scale.

    >>> count_cell_style(0), count_cell_style(2)
    ('', 'background-color: rgba(90, 90, 90, 0.30)')
    """
    if not isinstance(value, (int, float)) or value != value or value <= 0:
        return ""
    return f"background-color: rgba(90, 90, 90, {min(0.1 + 0.1 * float(value), 0.6):.2f})"


def frame_time_chart(table: pd.DataFrame, period_name: str = "month") -> go.Figure:
    """Return frame shares per period, one line per frame, on a readable period axis (n in the hover)."""
    code = {v: k for k, v in sets.PERIOD_NAMES.items()}.get(period_name, "M")
    data = table.assign(when=table["period"].map(lambda s: sets.period_label(s, code)))
    figure = px.line(data, x="when", y="share", color="label", markers=True, hover_data=["articles"],
                     color_discrete_sequence=PALETTE)
    figure.update_xaxes(type="category")
    return _finish(figure, f"Share of articles with each frame, per {period_name} "
                           f"(from {sets.MIN_ARTICLES_PER_PERIOD} articles a {period_name})", xaxis_title=None,
                   yaxis_title="share of articles", legend_title_text="frame", height=440)
