"""One look for every figure, and deterministic vector output.

The palette is Okabe & Ito's (2008) colour-blind-safe set; each county keeps its colour in every
figure (focal county first). Text is drawn as paths with matplotlib's bundled DejaVu Sans and, for
Chinese, the Noto Sans SC that comes with pa-study (:mod:`pa_study.fonts`), so a figure looks, and
hashes, the same on every machine.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib import font_manager
from matplotlib.colors import to_rgb
from matplotlib.text import Text

from pa_study.files import write_bytes
from pa_study.fonts import FIGURE_CJK_FONT, packaged_font

#: Okabe-Ito colours without black (kept for reference lines) and yellow (too light on white).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
REFERENCE_COLOUR = "#000000"
#: Inches; 6.5 is the text width of an A4 page with 2.5 cm margins.
WIDTH = 6.5
_METADATA = {"Date": None, "Creator": "pa-study"}
#: seaborn 0.13's ``set_theme(context="paper", style="whitegrid")``, the look the figures have had
#: since the first one, spelled out: importing seaborn (and the scipy.stats it imports) took about
#: 1 s of every figure job's start-up, and nothing else of seaborn is used.
_WHITEGRID_PAPER = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.linewidth": 1.0,
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "grid.color": ".8",
    "legend.title_fontsize": 9.6,
    "lines.linewidth": 1.2,
    "lines.markersize": 4.8,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "patch.linewidth": 0.8,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.major.size": 4.8,
    "xtick.major.width": 1.0,
    "xtick.minor.size": 3.2,
    "xtick.minor.width": 0.8,
    "ytick.color": ".15",
    "ytick.left": False,
    "ytick.major.size": 4.8,
    "ytick.major.width": 1.0,
    "ytick.minor.size": 3.2,
    "ytick.minor.width": 0.8,
}


def apply_theme(language: str = "en") -> None:
    """Set the study's matplotlib theme: print-size fonts, light grid, fixed SVG ids.

    Text is set in DejaVu Sans and Noto Sans SC: a Chinese figure (``language`` ``zh``) takes Noto
    Sans SC first, an English one DejaVu Sans first, falling back on the other for the glyphs it
    lacks (Chinese county names in an English figure).
    """
    cjk = str(packaged_font(FIGURE_CJK_FONT))
    if cjk not in {font.fname for font in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(cjk)
    fonts = ["DejaVu Sans", FIGURE_CJK_FONT]
    plt.rcParams.update(_WHITEGRID_PAPER)
    plt.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=[to_rgb(colour) for colour in PALETTE]),
            "font.family": fonts[::-1] if language == "zh" else fonts,
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
