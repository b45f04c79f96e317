"""Pictures of a drift report (plotly): one column's two distributions, and the summary."""

from __future__ import annotations

import plotly.graph_objects as go

from .report import DriftReport, FeatureDrift

REFERENCE_COLOUR, CURRENT_COLOUR = "#636efa", "#ef553b"
DRIFTED_COLOUR, STABLE_COLOUR, UNTESTED_COLOUR = "#d62728", "#2ca02c", "#9e9e9e"


def feature_figure(feature: FeatureDrift) -> go.Figure:
    """Reference and current side by side: shares per shared bin (numeric) or per category."""
    picture = feature.picture
    title = f"{feature.name}: {'drifted' if feature.drifted else 'no drift'} ({feature.message})"
    if feature.effect_size is not None:
        title = (f"{feature.name}: {'drifted' if feature.drifted else 'no drift'} — "
                 f"{feature.effect_method} {feature.effect_size:.3f} (floor {feature.threshold})")
    fig = go.Figure()
    if picture and "edges" in picture:
        edges = picture["edges"]
        centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:])]
        widths = [b - a for a, b in zip(edges[:-1], edges[1:])]
        for side, colour in (("reference", REFERENCE_COLOUR), ("current", CURRENT_COLOUR)):
            fig.add_bar(x=centres, y=picture[side], width=widths, name=side,
                        marker_color=colour, opacity=0.55)
        fig.update_layout(barmode="overlay", xaxis_title=feature.name)
        if feature.out_of_range_share:
            title += f"; {feature.out_of_range_share:.1%} of current values out of range"
    elif picture and "categories" in picture:
        for side, colour in (("reference", REFERENCE_COLOUR), ("current", CURRENT_COLOUR)):
            fig.add_bar(x=picture["categories"], y=picture[side], name=side, marker_color=colour)
        fig.update_layout(barmode="group", xaxis_title=feature.name, xaxis_type="category")
    else:  # not compared: nothing to draw but the reason
        for side in ("reference", "current"):
            fig.add_bar(x=[], y=[], name=side)
    fig.update_layout(title=title, yaxis_title="share of values", template="plotly_white")
    return fig


def summary_figure(report: DriftReport) -> go.Figure:
    """Effect size per column as bars (red drifted, green not, grey not tested), each column's
    threshold as a marker."""
    names = [f.name for f in report.features]
    colours = [DRIFTED_COLOUR if f.drifted else STABLE_COLOUR if f.effect_size is not None
               else UNTESTED_COLOUR for f in report.features]
    fig = go.Figure()
    fig.add_bar(x=names, y=[f.effect_size or 0.0 for f in report.features], marker_color=colours,
                name="effect size",
                customdata=[[f.effect_method or f.status, f.p_value_adjusted]
                            for f in report.features],
                hovertemplate="%{x}: %{y:.3f} (%{customdata[0]})<br>adjusted p %{customdata[1]}"
                              "<extra></extra>")
    fig.add_scatter(x=names, y=[f.threshold for f in report.features], mode="markers",
                    marker={"symbol": "line-ew-open", "size": 24, "color": "black"},
                    name="threshold")
    fig.update_layout(title=report.verdict(), yaxis_title="effect size", xaxis_type="category",
                      template="plotly_white")
    return fig
