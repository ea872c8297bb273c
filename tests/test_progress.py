"""Progress bars (pa_study.progress): drawn on a terminal only, the items unchanged either way."""

from __future__ import annotations

import io

import pa_study.progress as progress_module
from pa_study.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_drawn_when_standard_error_is_not_a_terminal(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(progress_module.sys, "stderr", stream)
    assert list(progress(range(3), "clean households")) == [0, 1, 2]
    assert stream.getvalue() == ""


def test_a_bar_is_drawn_on_a_terminal(monkeypatch):
    stream = Terminal()
    monkeypatch.setattr(progress_module.sys, "stderr", stream)
    assert list(progress(range(3), "clean households")) == [0, 1, 2]
    assert "clean households" in stream.getvalue()
