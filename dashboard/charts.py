"""Plotly figures for the dashboard, as pure functions of the tables on screen.

Every figure carries an explicit light template: importing streamlit sets
plotly's default template to one whose colours only a browser fills in, so a
figure exported to PNG, SVG or HTML without its own template comes out black.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

TEMPLATE = "plotly_white"
TONE_COLOR = "#1f6fb4"


def tone_interval_chart(table: pd.DataFrame, *, metric: str = "tone", title: str | None = None) -> go.Figure:
    """Return a dot-and-whisker chart of each outlet's mean tone with its 95% interval."""
    data = table.dropna(subset=[f"{metric}_mean"]).sort_values(f"{metric}_mean")
    mean = data[f"{metric}_mean"]
    low = (mean - data[f"{metric}_low"]).fillna(0)
    high = (data[f"{metric}_high"] - mean).fillna(0)
    figure = go.Figure(
        go.Scatter(
            x=mean,
            y=data["outlet"],
            mode="markers",
            marker={"color": TONE_COLOR, "size": 9},
            error_x={"type": "data", "symmetric": False, "array": high, "arrayminus": low,
                     "color": TONE_COLOR, "thickness": 1.5},
            customdata=data[["articles"]],
            hovertemplate="%{y}<br>mean %{x:.3f}<br>n = %{customdata[0]}<extra></extra>",
        )
    )
    label = "headline tone" if metric == "headline_tone" else "tone"
    figure.update_layout(
        template=TEMPLATE,
        title=title or f"Mean {label} per outlet (95% bootstrap interval)",
        xaxis_title=f"mean {label} (VADER compound, -1 to +1)",
        yaxis_title=None,
        height=max(280, 28 * len(data) + 120),
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    figure.add_vline(x=0, line_width=1, line_color="#999999")
    return figure
