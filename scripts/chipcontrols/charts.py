"""Charts for the site, drawn with matplotlib and written as deterministic SVG: fixed hash salt,
no dates in the metadata, text kept as text. Each chart has a white card background so it
reads the same in light and dark mode."""

from __future__ import annotations

import io
import math

COLOURS = {"china": "#c2410c", "other": "#2563eb", "line": "#6b7280", "charge": "#b91c1c", "bar": "#0f766e"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.hashsalt": "ai-chip-export-controls", "svg.fonttype": "none", "font.family": "DejaVu Sans",
                                "font.size": 9, "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white"})
    import matplotlib.pyplot as plt

    return plt


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def _plain_ticks(axis, template: str) -> None:
    """Log axes with plain numbers (2,000 rather than 2 x 10^3)."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: template.format(value)))
    axis.set_minor_formatter(FuncFormatter(lambda value, _: ""))


def tpp_vs_density(chips: list[dict], lines: list[tuple[str, float, str]]) -> str:
    """Scatter of TPP against performance density, with a rule's lines and China-specific parts labelled."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5.2))
    for chip in chips:
        colour = COLOURS["china"] if chip["china_specific"] else COLOURS["other"]
        point = ax.scatter(chip["tpp"], chip["pd"], color=colour, s=28, zorder=3)
        point.set_url(chip.get("url"))
        if chip["china_specific"] or chip.get("label"):
            ax.annotate(chip["name"], (chip["tpp"], chip["pd"]), textcoords="offset points", xytext=(4, 4), fontsize=8,
                        color=colour, fontweight="bold" if chip["china_specific"] else "normal")
    for metric, value, label in lines:
        if metric == "tpp":
            ax.axvline(value, color=COLOURS["line"], linestyle="--", linewidth=0.8)
            ax.text(value, 0.98, f" {label}", transform=ax.get_xaxis_transform(), rotation=90, va="top", fontsize=7, color=COLOURS["line"])
        else:
            ax.axhline(value, color=COLOURS["line"], linestyle=":", linewidth=0.8)
            ax.text(0.99, value, f"{label} ", transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize=7, color=COLOURS["line"])
    ax.set_xscale("log")
    ax.set_yscale("log")
    _plain_ticks(ax.xaxis, "{:,.0f}")
    _plain_ticks(ax.yaxis, "{:g}")
    ax.set_xlabel("Total processing performance (TPP, log scale)")
    ax.set_ylabel("Performance density (TPP per mm², log scale)")
    ax.scatter([], [], color=COLOURS["china"], label="China-specific part")
    ax.scatter([], [], color=COLOURS["other"], label="Other chip")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    ax.grid(True, which="major", color="#e5e7eb", linewidth=0.5)
    return _svg(fig)


def bandwidth_vs_tpp(chips: list[dict]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for chip in chips:
        colour = COLOURS["china"] if chip["china_specific"] else COLOURS["other"]
        ax.scatter(chip["tpp"], chip["bw"], color=colour, s=28, zorder=3).set_url(chip.get("url"))
        ax.annotate(chip["name"], (chip["tpp"], chip["bw"]), textcoords="offset points", xytext=(4, 3), fontsize=7, color=colour)
    ax.set_xscale("log")
    _plain_ticks(ax.xaxis, "{:,.0f}")
    ax.set_xlabel("Total processing performance (TPP, log scale)")
    ax.set_ylabel("Memory bandwidth (TB/s)")
    ax.grid(True, color="#e5e7eb", linewidth=0.5)
    return _svg(fig)


def china_parts_vs_parents(pairs: list[dict]) -> str:
    """Grouped bars: each China-specific part's TPP next to its parent's."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.45 * max(len(pairs), 1)))
    for i, pair in enumerate(pairs):
        ax.barh(i + 0.2, pair["parent_tpp"], height=0.38, color=COLOURS["other"]).patches[0].set_url(pair.get("parent_url"))
        ax.barh(i - 0.2, pair["tpp"], height=0.38, color=COLOURS["china"]).patches[0].set_url(pair.get("url"))
        ax.text(pair["tpp"], i - 0.2, f" {pair['name']} {pair['tpp']:,.0f}", va="center", fontsize=7)
        ax.text(pair["parent_tpp"], i + 0.2, f" {pair['parent']} {pair['parent_tpp']:,.0f}", va="center", fontsize=7)
    ax.set_yticks([])
    ax.set_xlabel("Total processing performance (TPP)")
    ax.set_xlim(0, max([p["parent_tpp"] for p in pairs] + [1]) * 1.35)
    return _svg(fig)


def revenue_bars(bars: list[dict], charges: list[dict]) -> str:
    """Bars of revenue by fiscal period (each linked to its source), with export-control charges marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    labels = [b["label"] for b in bars]
    for i, bar in enumerate(bars):
        patch = ax.bar(i, bar["value"] / 1e9, color=COLOURS["bar"], width=0.6).patches[0]
        patch.set_url(bar.get("url"))
        ax.text(i, bar["value"] / 1e9, f"{bar['value'] / 1e9:,.1f}", ha="center", va="bottom", fontsize=7)
    top = max([b["value"] / 1e9 for b in bars] + [1])
    for charge in charges:
        if charge["label"] in labels:
            i = labels.index(charge["label"])
            ax.annotate(f"export-control charge ${charge['value'] / 1e9:,.1f}bn", (i, bars[i]["value"] / 1e9), ha="center", fontsize=7,
                        color=COLOURS["charge"], arrowprops={"arrowstyle": "-", "color": COLOURS["charge"]}, xytext=(i, top * 1.17))
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_ylabel("US$ billion")
    ax.set_ylim(0, top * 1.28 if math.isfinite(top) else 1)
    ax.grid(True, axis="y", color="#e5e7eb", linewidth=0.5)
    return _svg(fig)
