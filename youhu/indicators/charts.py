"""Plotly figures (as plain dicts, drawn by the dashboard's bundled plotly.js) for the indicator pages."""

from __future__ import annotations

from typing import Any

FONT = {"family": "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif", "size": 12}
BASE = {"margin": {"l": 50, "r": 50, "t": 30, "b": 40}, "paper_bgcolor": "rgba(0,0,0,0)", "font": FONT,
        "legend": {"orientation": "h", "y": -0.15}, "autosize": True}


def radar(names: list[str], entity: str, values: list[float | None], median: list[float | None]) -> dict[str, Any]:
    """The entity's dimension sub-scores against the median of the period's entities (closed polygons)."""
    def trace(label: str, r: list[float | None], colour: str, fill: str) -> dict[str, Any]:
        return {"type": "scatterpolar", "name": label, "theta": [*names, names[0]],
                "r": [*(x if x is not None else 0 for x in r), r[0] if r[0] is not None else 0],
                "fill": fill, "line": {"color": colour}}
    return {"data": [trace("中位数", median, "#94a3b8", "none"), trace(entity, values, "#1a4fa3", "toself")],
            "layout": {**BASE, "margin": {"l": 80, "r": 80, "t": 30, "b": 40},
                       "polar": {"radialaxis": {"range": [0, 100], "angle": 90, "tickfont": {"size": 10}}}}}


def trend(points: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": [{"type": "scatter", "mode": "lines+markers+text", "name": "评价指数",
                      "x": [p["label"] for p in points], "y": [p["index"] for p in points],
                      "text": [f"第{p['rank']}/{p['of']}名" for p in points], "textposition": "top center",
                      "line": {"color": "#1a4fa3"}}],
            "layout": {**BASE, "yaxis": {"range": [0, 105], "title": {"text": "指数"}},
                       "xaxis": {"type": "category"}}}
