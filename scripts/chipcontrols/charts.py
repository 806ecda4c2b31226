"""Charts for the site, drawn with matplotlib and written as deterministic SVG: fixed hash salt,
no dates in the metadata, text kept as text. Each chart has a white card background so it
reads the same in light and dark mode.

Labels are placed, not just drawn: each candidate position is measured with the renderer and
kept only where it overlaps no other label, point or the plot's edge, so no two labels touch
(tests/test_charts.py checks the SVG). A point whose label finds no room keeps its tooltip:
every point carries an SVG <title> naming it."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

COLOURS = {"china": "#c2410c", "other": "#2563eb", "line": "#4b5563", "charge": "#b91c1c", "bar": "#0f766e", "missing": "#6b7280"}
# One colour per outcome, from least to most restrictive; unknown outcomes fall back to grey.
OUTCOME_COLOURS = {"not_applicable": "#9ca3af", "not_named": "#9ca3af", "not_controlled": "#16a34a", "notification_required": "#ca8a04",
                   "license_required": "#dc2626", "case_by_case_review": "#7c3aed", "presumption_of_denial": "#7f1d1d", "undetermined": "#6b7280"}
SERIES_COLOURS = ["#0f766e", "#7c3aed", "#ca8a04", "#2563eb", "#be185d"]
HALO = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}  # a line behind a label does not strike it through
POINT_SIZE = 30  # marker area in points², so the radius is about 3 points


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.hashsalt": "ai-chip-export-controls", "svg.fonttype": "none", "font.family": "DejaVu Sans",
                                "font.size": 9, "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
                                "figure.dpi": 72, "text.hinting": "no_hinting"})  # unhinted widths, as a browser draws them
    import matplotlib.pyplot as plt

    return plt


def _svg(fig, titles: dict[str, str] | None = None) -> str:
    """The figure as SVG, with an SVG <title> (a tooltip) added inside each group whose gid is a key of `titles`."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    _pyplot().close(fig)
    svg = buffer.getvalue()
    for gid, title in (titles or {}).items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}">\n   <title>{escape(title)}</title>', 1)
    return svg


def _plain_ticks(axis, template: str) -> None:
    """Log axes with plain numbers (2,000 rather than 2 x 10^3)."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: template.format(value)))
    axis.set_minor_formatter(FuncFormatter(lambda value, _: ""))


def number(value: float) -> str:
    """A value as a reader writes it: 4,800, 5.92, 0.3."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


class Placer:
    """Keeps track of what is drawn inside a figure and finds a free spot for each new label."""

    def __init__(self, fig, ax, pad: float = 1.5):
        fig.canvas.draw()
        self.fig, self.ax, self.pad = fig, ax, pad
        self.renderer = fig.canvas.get_renderer()
        self.area = ax.get_window_extent(self.renderer)
        self.taken: list = []

    def block(self, box) -> None:
        self.taken.append(box)

    def block_point(self, x: float, y: float, radius: float = 3.5) -> None:
        from matplotlib.transforms import Bbox

        px, py = self.ax.transData.transform((x, y))
        self.block(Bbox.from_extents(px - radius, py - radius, px + radius, py + radius))

    def free(self, box, inside: bool = True) -> bool:
        if inside and (box.x0 < self.area.x0 + 1 or box.x1 > self.area.x1 - 1 or box.y0 < self.area.y0 + 1 or box.y1 > self.area.y1 - 1):
            return False
        grown = box.expanded(1, 1).padded(self.pad)
        return not any(grown.overlaps(other) for other in self.taken)

    def place(self, candidates, inside: bool = True):
        """Draws the first candidate (a function returning an artist) that lands on free space; None if none does."""
        from matplotlib.text import Annotation, Text

        for make in candidates:
            artist = make()
            if isinstance(artist, Annotation):
                artist.update_positions(self.renderer)  # puts the text where it will be drawn
            # The text's own box: an annotation's leader line ends at its point, which is always taken.
            box = Text.get_window_extent(artist, self.renderer) if isinstance(artist, Text) else artist.get_window_extent(self.renderer)
            if self.free(box, inside):
                self.block(box)
                return artist
            artist.remove()
        return None


# Label positions around a point, nearest first: (dx, dy) in points, horizontal and vertical alignment.
_DIRECTIONS = [(1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"), (0, -1, "center", "top"),
               (0.8, 0.8, "left", "bottom"), (-0.8, 0.8, "right", "bottom"), (0.8, -0.8, "left", "top"), (-0.8, -0.8, "right", "top")]


def _label_point(placer: Placer, name: str, x: float, y: float, colour: str, bold: bool):
    ax = placer.ax
    candidates = []
    for distance in (5, 10, 18, 28, 40):
        for dx, dy, ha, va in _DIRECTIONS:
            # A leader line once the label stands off its point; sideways labels get one only further out (a short one reads as a dash).
            far = distance >= (18 if dy == 0 else 10)
            leader = {"arrowstyle": "-", "color": colour, "linewidth": 0.5, "shrinkA": 1, "shrinkB": 3.5} if far else None

            def make(dx=dx, dy=dy, ha=ha, va=va, distance=distance, leader=leader):
                return ax.annotate(name, (x, y), textcoords="offset points", xytext=(dx * distance, dy * distance), ha=ha, va=va,
                                   fontsize=8, color=colour, fontweight="bold" if bold else "normal", arrowprops=leader, bbox=HALO, zorder=4)

            candidates.append(make)
    return placer.place(candidates)


@dataclass
class Line:
    """A rule's line on a chart: which axis it crosses, where, and its label."""

    axis: str  # "x" (a vertical line) or "y" (a horizontal one)
    value: float
    label: str
    style: str = "--"


@dataclass
class Point:
    name: str
    x: float
    y: float
    colour: str
    tooltip: str
    url: str | None = None
    highlight: bool = False


def _line_label(placer: Placer, line: Line):
    ax = placer.ax
    if line.axis == "x":
        transform = ax.get_xaxis_transform()
        spots = [(0.98, "top", "left", 2), (0.98, "top", "right", -2), (0.02, "bottom", "left", 2), (0.02, "bottom", "right", -2),
                 (0.5, "center", "left", 2), (0.5, "center", "right", -2)]
        candidates = [lambda y=y, va=va, ha=ha, dx=dx: ax.annotate(line.label, (line.value, y), xycoords=transform, textcoords="offset points",
                                                                   xytext=(dx, 0), rotation=90, va=va, ha=ha, fontsize=7, color=COLOURS["line"])
                      for y, va, ha, dx in spots]
    else:
        transform = ax.get_yaxis_transform()
        spots = [(0.99, "right", "bottom", 2), (0.99, "right", "top", -2), (0.01, "left", "bottom", 2), (0.01, "left", "top", -2),
                 (0.5, "center", "bottom", 2), (0.5, "center", "top", -2)]
        candidates = [lambda x=x, ha=ha, va=va, dy=dy: ax.annotate(line.label, (x, line.value), xycoords=transform, textcoords="offset points",
                                                                   xytext=(0, dy), ha=ha, va=va, fontsize=7, color=COLOURS["line"])
                      for x, ha, va, dy in spots]
    return placer.place(candidates)


def scatter(points: list[Point], *, x_label: str, y_label: str, lines: list[Line] = (), log_x: bool = True, log_y: bool = True,
            legend: list[tuple[str, str]] = (), height: float = 5.2) -> str:
    """A labelled scatter: every point has a tooltip and, where there is room, a label clear of every other label."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, height))
    titles = {}
    for i, point in enumerate(points):
        artist = ax.scatter(point.x, point.y, color=point.colour, s=POINT_SIZE, zorder=3, edgecolors="white", linewidths=0.5)
        artist.set_gid(f"point-{i}")
        artist.set_url(point.url)
        titles[f"point-{i}"] = point.tooltip
    for line in lines:
        if line.axis == "x":
            ax.axvline(line.value, color=COLOURS["line"], linestyle=line.style, linewidth=0.8, zorder=2)
        else:
            ax.axhline(line.value, color=COLOURS["line"], linestyle=line.style, linewidth=0.8, zorder=2)
    if log_x:
        ax.set_xscale("log")
        _plain_ticks(ax.xaxis, "{:,.0f}")
    if log_y:
        ax.set_yscale("log")
        _plain_ticks(ax.yaxis, "{:g}")
    _pad_limits(ax, [p.x for p in points] + [l.value for l in lines if l.axis == "x"], "x", log_x)
    _pad_limits(ax, [p.y for p in points] + [l.value for l in lines if l.axis == "y"], "y", log_y)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    for colour, label in legend:
        ax.scatter([], [], color=colour, label=label)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(legend), 3), frameon=False, fontsize=8)
    ax.grid(True, which="major", color="#e5e7eb", linewidth=0.5)
    ax.set_axisbelow(True)
    placer = Placer(fig, ax)
    for point in points:
        placer.block_point(point.x, point.y)
    for line in lines:
        _line_label(placer, line)
    # Highlighted points claim space first, then the rest from the edges inwards, so crowded middles go last.
    for point in sorted(points, key=lambda p: (not p.highlight, p.name)):
        _label_point(placer, point.name, point.x, point.y, point.colour, point.highlight)
    return _svg(fig, titles)


def _pad_limits(ax, values: list[float], axis: str, log: bool) -> None:
    values = [v for v in values if v > 0 or not log]
    if not values:
        return
    low, high = min(values), max(values)
    if log:
        span = math.log10(high / low) if high > low else 1
        low, high = low / 10 ** (0.12 * span), high * 10 ** (0.12 * span)
    else:
        span = (high - low) or abs(high) or 1
        low, high = min(0, low - 0.08 * span), high + 0.12 * span
    (ax.set_xlim if axis == "x" else ax.set_ylim)(low, high)


def parts_vs_parents(pairs: list[dict]) -> str:
    """Grouped bars: each China-specific part's TPP next to its parent's, each bar with a tooltip."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.7 + 0.5 * max(len(pairs), 1)))
    titles = {}
    for i, pair in enumerate(pairs):
        row = len(pairs) - 1 - i  # first pair at the top
        for offset, name, value, url, colour, key in ((0.2, pair["parent"], pair["parent_tpp"], pair.get("parent_url"), COLOURS["other"], "parent"),
                                                      (-0.2, pair["name"], pair["tpp"], pair.get("url"), COLOURS["china"], "part")):
            patch = ax.barh(row + offset, value, height=0.38, color=colour).patches[0]
            patch.set_url(url)
            patch.set_gid(f"bar-{i}-{key}")
            titles[f"bar-{i}-{key}"] = f"{name}: TPP {number(value)}"
            ax.annotate(f"{name} {number(value)}", (value, row + offset), textcoords="offset points", xytext=(4, 0), va="center", fontsize=8)
    ax.set_yticks([])
    from matplotlib.ticker import StrMethodFormatter

    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel("Total processing performance (TPP)")
    ax.set_xlim(0, max([p["parent_tpp"] for p in pairs] + [p["tpp"] for p in pairs] + [1]) * 1.45)
    ax.set_ylim(-0.7, max(len(pairs), 1) - 0.3)
    ax.set_axisbelow(True)
    ax.grid(True, axis="x", color="#e5e7eb", linewidth=0.5)
    ax.bar(0, 0, color=COLOURS["other"], label="parent chip")
    ax.bar(0, 0, color=COLOURS["china"], label="China-specific part")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.5 / max(len(pairs), 1) - 0.08), ncol=2, frameon=False, fontsize=8)
    return _svg(fig, titles)


def fiscal_years(labels: list[str]) -> list[str]:
    """Every fiscal year from the first to the last label (FY2022 ... FY2026), so a gap shows as a gap."""
    years = sorted(int(m.group(1)) for m in (re.fullmatch(r"FY(\d{4})", label) for label in labels) if m)
    return [f"FY{year}" for year in range(years[0], years[-1] + 1)] if years else []


def revenue_by_basis(series: dict[str, dict[str, dict]], charges: list[dict], y_label: str = "US$ billion") -> str:
    """Grouped bars by fiscal year, one colour per reporting basis; a year with no figure on any basis is
    marked 'no figure' rather than closed up. series: basis label -> fiscal year -> {value, url, tooltip}."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.4))
    years = fiscal_years([year for values in series.values() for year in values])
    width = 0.8 / max(len(series), 1)
    titles = {}
    top = max([v["value"] / 1e9 for values in series.values() for v in values.values()] + [1])
    value_labels = []
    for s, (basis, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        ax.bar(0, 0, width=0, color=colour, label=basis)
        for i, year in enumerate(years):
            if year not in values:
                continue
            x = i - 0.4 + width * (s + 0.5)
            patch = ax.bar(x, values[year]["value"] / 1e9, width=width * 0.92, color=colour, zorder=2).patches[0]
            patch.set_url(values[year].get("url"))
            patch.set_gid(f"bar-{s}-{year}")
            titles[f"bar-{s}-{year}"] = values[year]["tooltip"]
            value_labels.append((x, values[year]["value"] / 1e9))
    ax.set_xticks(range(len(years)), years)
    ax.set_xlim(-0.6, len(years) - 0.4)
    ax.set_ylabel(y_label)
    ax.set_ylim(0, top * 1.55)
    ax.set_axisbelow(True)
    ax.grid(True, axis="y", color="#e5e7eb", linewidth=0.5, zorder=0)
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    placer = Placer(fig, ax)
    legend = ax.get_legend()
    placer.block(legend.get_window_extent(placer.renderer))
    for patch in ax.patches:
        placer.block(patch.get_window_extent(placer.renderer))
    for x, value in value_labels:
        placer.place([lambda x=x, value=value: ax.annotate(f"{value:,.1f}", (x, value), textcoords="offset points", xytext=(0, 2),
                                                           ha="center", va="bottom", fontsize=7)])
    for i, year in enumerate(years):
        if not any(year in values for values in series.values()):
            placer.place([lambda i=i: ax.annotate("no figure", (i, 0), textcoords="offset points", xytext=(0, 4), ha="center", va="bottom",
                                                  fontsize=7, color=COLOURS["missing"], rotation=90, fontstyle="italic")])
    for charge in charges:
        year = charge["year"]
        if year not in years:
            continue
        i = years.index(year)
        heights = [values[year]["value"] / 1e9 for values in series.values() if year in values] or [0]
        text = f"{charge['label']} ${charge['value'] / 1e9:,.1f}bn"
        arrow = {"arrowstyle": "-", "color": COLOURS["charge"], "linewidth": 0.6}
        placer.place([lambda dy=dy, ha=ha: ax.annotate(text, (i, max(heights)), textcoords="offset points", xytext=(0, dy), ha=ha, fontsize=7,
                                                       color=COLOURS["charge"], arrowprops=arrow)
                      for dy in range(16, 120, 6) for ha in ("center", "right", "left")])
    return _svg(fig, titles)
