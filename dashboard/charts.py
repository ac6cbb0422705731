"""Plotly figures for the dashboard, as pure functions of the tables on screen.

Every figure carries an explicit light template: importing streamlit sets
plotly's default template to one whose colours only a browser fills in, so a
figure exported to PNG, SVG or HTML without its own template comes out black.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

TEMPLATE = "plotly_white"
TONE_COLOR = "#1f6fb4"
PALETTE = px.colors.qualitative.Safe + px.colors.qualitative.Pastel
TONE_LABELS = {"tone": "article tone", "headline_tone": "headline tone"}


def _finish(figure: go.Figure, title: str, **layout: object) -> go.Figure:
    figure.update_layout(template=TEMPLATE, title=title, margin={"l": 10, "r": 10, "t": 60, "b": 40},
                         font={"family": "Arial, sans-serif"}, **layout)
    return figure


def interval_chart(table: pd.DataFrame, *, prefix: str = "tone", label: str = "tone",
                   title: str | None = None) -> go.Figure:
    """Return a dot-and-whisker chart of each outlet's mean with its 95% interval (``{prefix}_mean/low/high``)."""
    data = table.dropna(subset=[f"{prefix}_mean"]).sort_values(f"{prefix}_mean")
    mean = data[f"{prefix}_mean"]
    low = (mean - data[f"{prefix}_low"]).fillna(0)
    high = (data[f"{prefix}_high"] - mean).fillna(0)
    n = data["articles"] if "articles" in data else pd.Series(0, index=data.index)
    figure = go.Figure(
        go.Scatter(
            x=mean, y=data["outlet"], mode="markers", marker={"color": TONE_COLOR, "size": 9},
            error_x={"type": "data", "symmetric": False, "array": high, "arrayminus": low,
                     "color": TONE_COLOR, "thickness": 1.5},
            customdata=n.to_frame(), hovertemplate="%{y}<br>mean %{x:.3f}<br>n = %{customdata[0]}<extra></extra>",
        )
    )
    figure.add_vline(x=0, line_width=1, line_color="#999999")
    return _finish(figure, title or f"Mean {label} per outlet (95% bootstrap interval)",
                   xaxis_title=f"mean {label} (-1 to +1)", yaxis_title=None,
                   height=max(280, 26 * len(data) + 120))


def tone_interval_chart(table: pd.DataFrame, *, metric: str = "tone", title: str | None = None) -> go.Figure:
    """Return the per-outlet tone chart for ``tone`` or ``headline_tone``."""
    return interval_chart(table, prefix=metric, label=TONE_LABELS.get(metric, metric), title=title)


def volume_chart(table: pd.DataFrame) -> go.Figure:
    """Return stacked bars of articles per period and outlet."""
    figure = px.bar(table, x="period", y="articles", color="outlet", color_discrete_sequence=PALETTE)
    return _finish(figure, "Coverage volume per outlet", xaxis_title=None, yaxis_title="articles",
                   legend_title_text="outlet", height=420)


def tone_distribution_chart(frame: pd.DataFrame, metric: str = "tone_vader.tone", top: int = 20) -> go.Figure:
    """Return box plots of article tone per outlet (the ``top`` outlets by article count)."""
    data = frame.dropna(subset=[metric])
    leaders = data["outlet"].value_counts().index[:top]
    data = data[data["outlet"].isin(leaders)]
    order = data.groupby("outlet")[metric].median().sort_values().index.tolist()
    figure = px.box(data, x=metric, y="outlet", points=False, category_orders={"outlet": order},
                    color_discrete_sequence=[TONE_COLOR])
    figure.add_vline(x=0, line_width=1, line_color="#999999")
    return _finish(figure, "Distribution of article tone per outlet", xaxis_title="article tone (-1 to +1)",
                   yaxis_title=None, height=max(300, 28 * len(order) + 120))


def tone_time_chart(table: pd.DataFrame) -> go.Figure:
    """Return mean tone per period, one line per outlet."""
    figure = px.line(table, x="period", y="tone", color="outlet", markers=True, hover_data=["articles"],
                     color_discrete_sequence=PALETTE)
    figure.add_hline(y=0, line_width=1, line_color="#999999")
    return _finish(figure, "Mean article tone over time", xaxis_title=None, yaxis_title="mean tone", height=420)


def heatmap(table: pd.DataFrame, *, row: str, column: str, value: str, title: str) -> go.Figure:
    """Return a heatmap of ``value`` by ``row`` x ``column`` (e.g. outlet x frame share)."""
    grid = table.pivot_table(index=row, columns=column, values=value, aggfunc="first")
    figure = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=list(grid.index),
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


def frame_time_chart(table: pd.DataFrame, period_name: str = "month") -> go.Figure:
    """Return frame shares per period, one line per frame."""
    figure = px.line(table, x="period", y="share", color="label", markers=True, hover_data=["articles"],
                     color_discrete_sequence=PALETTE)
    return _finish(figure, f"Share of articles with each frame, per {period_name}", xaxis_title=None,
                   yaxis_title="share of articles", legend_title_text="frame", height=440)


def share_bar_chart(table: pd.DataFrame, *, value: str, label: str, group: str, title: str) -> go.Figure:
    """Return grouped horizontal bars of ``value`` per ``label``, one colour per ``group`` (facets per outlet)."""
    figure = px.bar(table, x=value, y=label, color=group, orientation="h", barmode="group",
                    color_discrete_sequence=PALETTE)
    return _finish(figure, title, yaxis_title=None, height=max(320, 18 * len(table) + 160))
