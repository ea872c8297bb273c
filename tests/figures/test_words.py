"""The figures' words (pa_study.figures.words): every word a figure draws has its Chinese, and a
Chinese figure's titles, axes and legends are Chinese."""

from __future__ import annotations

import ast
import inspect
import re

import matplotlib.pyplot as plt
import pytest

from pa_study.codebook import load_codebook
from pa_study.figures import plots, specification
from pa_study.figures.theme import apply_theme
from pa_study.figures.words import ZH, category_label, figure_language, label, tr

CJK = re.compile(r"[\u4e00-\u9fff]")


def marked_words() -> set[str]:
    """The string literals passed to tr() and N_() in the modules that draw figures."""
    trees = [ast.parse(inspect.getsource(module)) for module in (plots, specification)]
    return {
        call.args[0].value
        for tree in trees
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id in {"tr", "N_"}
        and call.args
        and isinstance(call.args[0], ast.Constant)
    }


def test_every_word_the_figures_draw_has_its_chinese():
    words = marked_words()
    assert len(words) > 30
    missing = sorted(w for w in words if w not in ZH)
    assert not missing, f"add these to pa_study.figures.words.ZH: {missing}"


def test_words_are_english_outside_a_chinese_block_and_fields_are_filled():
    assert tr("threshold {value}", value="2%") == "threshold 2%"
    with figure_language("zh"):
        assert tr("threshold {value}", value="2%") == "阈值 2%"
        assert label("错退率 wrongful-exit rate") == "错退率"
    assert label("错退率 wrongful-exit rate") == "wrongful-exit rate"


def test_category_codes_take_the_codebook_labels_in_the_figure_language():
    codebook = load_codebook("data/codebook/codebook.yaml")
    with figure_language("zh", codebook):
        assert category_label("projects", "status", "suspended") == "停产"
        assert category_label("cadres", "role", "all") == "全部"
    with figure_language("en", codebook):
        assert category_label("cadres", "role", "first_secretary") == "first secretary"
    assert category_label("cadres", "role", "first_secretary") == "first_secretary"


def figure_texts(figure: plt.Figure) -> list[str]:
    """Titles, axis labels, tick labels and legend entries of a figure."""
    texts = []
    for ax in figure.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.get_yticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    return [t for t in texts if t.strip()]


@pytest.mark.parametrize(
    "function", ["identification_errors", "income_effects", "capability_by_status", "poverty_line_sensitivity"]
)
def test_a_chinese_figure_has_chinese_titles_axes_and_legends(results, function):
    apply_theme("zh")
    with figure_language("zh"):
        figure = getattr(plots, function)(results)
    texts = figure_texts(figure)
    plt.close(figure)
    assert texts
    words = [t for t in texts if re.search("[A-Za-z]{3,}", t) and not re.search(r"county|County|AIPW|IPW", t)]
    assert not words, f"English left in the Chinese figure: {words}"
    assert any(CJK.search(t) for t in texts)


def test_chinese_figures_set_the_shipped_sans_first():
    apply_theme("zh")
    assert plt.rcParams["font.family"][0] == "Noto Sans SC"
    apply_theme("en")
    assert plt.rcParams["font.family"] == ["DejaVu Sans", "Noto Sans SC"]
