"""Charts a reader can read: in every generated SVG no two labels overlap, every point and bar
has a tooltip, and the money chart shows a missing year as missing. Label boxes are measured
here from the SVG text itself (font size, anchor, rotation) with the font's own metrics, not
taken from the code that placed them."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from chipcontrols import charts
from conftest import copy_project, run_cli

EPOCH = {"SOURCE_DATE_EPOCH": "1764374400"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    folder = copy_project(tmp_path_factory.mktemp("charts") / "pkg", docs=True)
    result = run_cli("docs", str(folder / "datapackage.json"), "--no-build", env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "build" / "docs" / "site-src"


def _measure(text: str, size: float) -> tuple[float, float, float]:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, height, descent = TextToPath().get_text_width_height_descent(text, FontProperties(family="DejaVu Sans", size=size), ismath=False)
    return width, height, descent


def _transform(spec: str, point: tuple[float, float]) -> tuple[float, float]:
    """Applies an SVG transform list (translate and rotate, as matplotlib writes them) to a point."""
    x, y = point
    for name, args in reversed(re.findall(r"(translate|rotate)\(([^)]*)\)", spec)):
        values = [float(v) for v in re.split(r"[\s,]+", args.strip()) if v]
        if name == "translate":
            x, y = x + values[0], y + (values[1] if len(values) > 1 else 0)
        else:
            angle, cx, cy = math.radians(values[0]), *(values[1:3] if len(values) == 3 else (0.0, 0.0))
            dx, dy = x - cx, y - cy
            x, y = cx + dx * math.cos(angle) - dy * math.sin(angle), cy + dx * math.sin(angle) + dy * math.cos(angle)
    return x, y


def text_boxes(svg: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(text, (x0, y0, x1, y1)) for every <text> in the SVG, in SVG user units."""
    boxes = []
    for node in ET.fromstring(svg.encode("utf-8")).iter(f"{SVG}text"):
        label = "".join(node.itertext())
        if not label.strip():
            continue
        style = dict(part.split(":", 1) for part in node.get("style", "").replace(" ", "").split(";") if ":" in part)
        size = float(style.get("font-size", "10px").rstrip("px"))
        anchor = style.get("text-anchor", "start")
        x, y = float(node.get("x", 0)), float(node.get("y", 0))
        width, height, descent = _measure(label, size)
        left = x + {"start": 0, "middle": -width / 2, "end": -width}[anchor]
        corners = [(left, y + descent), (left + width, y + descent), (left, y + descent - height), (left + width, y + descent - height)]
        rotated = [_transform(node.get("transform", ""), point) for point in corners]
        xs, ys = [p[0] for p in rotated], [p[1] for p in rotated]
        boxes.append((label, (min(xs), min(ys), max(xs), max(ys))))
    return boxes


def overlaps(svg: str, tolerance: float = 0.5) -> list[tuple[str, str]]:
    boxes = text_boxes(svg)
    found = []
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
        for b, (bx0, by0, bx1, by1) in boxes[i + 1:]:
            if min(ax1, bx1) - max(ax0, bx0) > tolerance and min(ay1, by1) - max(ay0, by0) > tolerance:
                found.append((a, b))
    return found


def test_the_measure_catches_an_overlap():
    crowded = charts.scatter([charts.Point("Alpha", 10, 10, "#000", "Alpha"), charts.Point("Beta", 10.01, 10, "#000", "Beta")],
                             x_label="x", y_label="y")
    assert not overlaps(crowded)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "Instinct MI250")
    ax.text(0.51, 0.5, "Instinct MI250X")
    assert overlaps(charts._svg(fig))


def test_no_chart_has_overlapping_labels(pages: Path):
    svgs = sorted(pages.rglob("*.svg"))
    assert len(svgs) >= 4 + 2  # the chips page's three, the money chart, and rule pages'
    for path in svgs:
        svg = path.read_text(encoding="utf-8")
        assert not overlaps(svg), (path.relative_to(pages).as_posix(), overlaps(svg)[:5])


def test_every_point_has_a_tooltip(pages: Path):
    for path in sorted(pages.rglob("*.svg")):
        root = ET.fromstring(path.read_bytes())
        marks = [g for g in root.iter(f"{SVG}g") if re.fullmatch(r"(point|bar)-.*", g.get("id", ""))]
        assert marks, path
        assert all(g.find(f"{SVG}title") is not None and g.find(f"{SVG}title").text for g in marks), path
    density = (pages / "chips" / "tpp-vs-density.svg").read_text(encoding="utf-8")
    assert "<title>H20 (Nvidia Corporation): TPP 2,368; PD 2.91</title>" in density


def test_threshold_labels_are_clear_of_points(pages: Path):
    svg = (pages / "chips" / "tpp-vs-density.svg").read_text(encoding="utf-8")
    lines = [(text, box) for text, box in text_boxes(svg) if re.match(r"(TPP|PD) [\d,.]+ \(", text)]
    assert lines, "the rule's lines are labelled"
    root = ET.fromstring(svg.encode("utf-8"))
    points = []
    for g in root.iter(f"{SVG}g"):
        if g.get("id", "").startswith("point-"):
            use = next(g.iter(f"{SVG}use"), None)
            if use is not None:
                points.append((float(use.get("x")), float(use.get("y"))))
    assert points
    for text, (x0, y0, x1, y1) in lines:
        assert not any(x0 - 3 < x < x1 + 3 and y0 - 3 < y < y1 + 3 for x, y in points), text


def test_money_chart_shows_a_missing_year(pages: Path):
    svg = (pages / "money" / "revenue.svg").read_text(encoding="utf-8")
    labels = [text for text, _ in text_boxes(svg)]
    years = [t for t in labels if re.fullmatch(r"FY\d{4}", t)]
    assert years == [f"FY{y}" for y in range(int(years[0][2:]), int(years[-1][2:]) + 1)], "every year from first to last is on the axis"
    page = (pages / "money" / "index.md").read_text(encoding="utf-8")
    if "FY2023" not in {m for m in re.findall(r"<title>(FY\d{4})", svg)}:
        assert "no figure" in labels and "FY2023" in page and "Missing:" in page


class _Figures:
    """Just what sitecharts.money_chart reads from a Site: the chart's settings, the figures, their schema and sources."""

    def __init__(self, figures: list[dict], fields: set[str]):
        self.descriptor = {"x-site": {"revenueChart": {"company_id": "acme", "metric": "revenue_china", "charge_metric": "export_control_charge",
                                                       "exclude_figures_ending": "-restated"}}}
        self.figures, self.fields = figures, fields

    def field(self, table: str, name: str):
        return {"name": name} if name in self.fields else None

    def citations(self, table: str, record_id: str) -> list[dict]:
        return [{"url": f"https://example.org/{record_id}"}]


def _figure(figure_id: str, year: str, value: float, **extra) -> dict:
    return {"figure_id": figure_id, "company_id": "acme", "metric": "revenue_china", "unit": "USD", "fiscal_period": year,
            "value": str(value), "provenance": "reported", **extra}


def test_money_chart_series_follow_the_reporting_basis_column_when_there_is_one(tmp_path: Path):
    from chipcontrols import sitecharts

    figures = [_figure("a-2022", "FY2022", 7e9, reporting_basis="billing_location"), _figure("a-2024", "FY2024", 10e9, reporting_basis="billing_location"),
               _figure("a-2024-restated", "FY2024", 12e9, reporting_basis="customer_headquarters")]
    chart = sitecharts.money_chart(_Figures(figures, {"reporting_basis"}), tmp_path)
    assert chart["by_column"] and list(chart["series"]) == ["billing location", "customer headquarters"]
    assert chart["years"] == ["FY2022", "FY2023", "FY2024"] and chart["missing"] == ["FY2023"]
    svg = (tmp_path / "revenue.svg").read_text(encoding="utf-8")
    assert "<title>FY2024, customer headquarters: US$12 billion (reported)</title>" in svg and not overlaps(svg)
    without = sitecharts.money_chart(_Figures([{k: v for k, v in f.items() if k != "reporting_basis"} for f in figures], set()), tmp_path)
    assert not without["by_column"] and list(without["series"]) == ["as first reported", "restated on the later basis"]
