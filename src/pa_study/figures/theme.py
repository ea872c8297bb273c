"""One look for every figure, and deterministic vector output.

The palette is Okabe & Ito's (2008) colour-blind-safe set; each county keeps its colour in every
figure (focal county first). Text is drawn as paths with matplotlib's bundled DejaVu Sans, so a
figure looks, and hashes, the same on every machine.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.text import Text

from pa_study.files import write_bytes

#: Okabe-Ito colours without black (kept for reference lines) and yellow (too light on white).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
REFERENCE_COLOUR = "#000000"
#: Inches; 6.5 is the text width of an A4 page with 2.5 cm margins.
WIDTH = 6.5
_METADATA = {"Date": None, "Creator": "pa-study"}


def apply_theme() -> None:
    """Set the study's matplotlib/seaborn theme: print-size fonts, light grid, fixed SVG ids."""
    sns.set_theme(context="paper", style="whitegrid", palette=PALETTE, font="DejaVu Sans")
    plt.rcParams.update(
        {
            "font.size": 8,
            "axes.titlesize": 9,
            "axes.labelsize": 8,
            "legend.fontsize": 7,
            "xtick.labelsize": 7,
            "ytick.labelsize": 7,
            "axes.titleweight": "bold",
            "figure.dpi": 100,
            # Element ids are derived from this salt instead of a random one: same figure, same bytes.
            "svg.hashsalt": "pa-study",
            "svg.fonttype": "path",
            "path.simplify": True,
        }
    )


def county_colours(order: list[str]) -> dict[str, str]:
    """Map each county display name to its colour, in study order (focal county first)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(order)}


def save_figure(figure: plt.Figure, path: str | Path) -> None:
    """Write ``figure`` as SVG without a date, so reruns give identical bytes, and close it.

    Its text is drawn as paths, so the labels are screened for personal data as text.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata=_METADATA, bbox_inches="tight")
    labels = "\n".join(t.get_text() for t in figure.findobj(Text))
    plt.close(figure)
    write_bytes(buffer.getvalue(), path, text=labels)
