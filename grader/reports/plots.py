"""The report's plots, drawn with matplotlib's SVG backend and inlined into the page.

``Figure`` is used directly (no pyplot, no global state); each SVG's ids are prefixed so that
several plots on one page never share an id."""

from __future__ import annotations

import io
import re

import matplotlib
from matplotlib.figure import Figure

_ID = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "dl-grader", "font.size": 9,
         "axes.spines.top": False, "axes.spines.right": False}
COLOR = "#3b6ea8"


def svg(figure: Figure, prefix: str) -> str:
    """The figure as an inline ``<svg>`` element whose ids all start with ``prefix``."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = _ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    return text.replace("<svg ", f'<svg role="img" class="plot" ', 1)


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def histogram(values: list[float], most: float, xlabel: str, prefix: str, bins: int = 20) -> str:
    """A histogram of ``values`` between 0 and ``most``."""
    with matplotlib.rc_context(STYLE):
        figure = _figure(6, 2.4)
        axes = figure.subplots()
        top = most if most > 0 else max(values, default=1.0) or 1.0
        axes.hist(values, bins=bins, range=(0, top), color=COLOR, edgecolor="white")
        axes.set_xlabel(xlabel)
        axes.set_ylabel("submissions")
        axes.yaxis.get_major_locator().set_params(integer=True)
        return svg(figure, prefix)


def exercise_distributions(points: dict[str, list[float]], most: dict[str, float], prefix: str) -> str:
    """One small histogram per exercise, side by side."""
    with matplotlib.rc_context(STYLE):
        count = max(1, len(points))
        columns = min(count, 3)
        rows = -(-count // columns)
        figure = _figure(2.6 * columns, 1.9 * rows)
        grid = figure.subplots(rows, columns, squeeze=False)
        for axes, (exercise, values) in zip(grid.flat, points.items()):
            top = most.get(exercise) or max(values, default=1.0) or 1.0
            axes.hist(values, bins=min(11, int(top) + 1), range=(0, top), color=COLOR, edgecolor="white")
            axes.set_title(exercise, fontsize=9, parse_math=False)
            axes.set_xlabel(f"points (of {top:g})", parse_math=False)
            axes.yaxis.get_major_locator().set_params(integer=True)
        for axes in list(grid.flat)[len(points):]:
            axes.set_visible(False)
        return svg(figure, prefix)


def facility_bars(labels: list[str], facility: list[float], prefix: str) -> str:
    """A quiz's facility index per question (percent), as horizontal bars."""
    with matplotlib.rc_context(STYLE):
        figure = _figure(6, 0.3 * len(labels) + 0.8)
        axes = figure.subplots()
        axes.barh(range(len(labels)), facility, color=COLOR)
        axes.set_yticks(range(len(labels)), labels, parse_math=False)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel("facility index (%)")
        return svg(figure, prefix)
