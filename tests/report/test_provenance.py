"""Provenance (pa_study.report.provenance): input hashes without the clock or hidden files."""

from __future__ import annotations

import hashlib

from pa_study.report.provenance import PACKAGES, input_hashes, package_versions


def test_folders_are_walked_hidden_files_left_out_and_paths_sorted(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "b.csv").write_text("b\n", encoding="utf-8")
    (tmp_path / "tables" / ".snakemake_timestamp").write_text("", encoding="utf-8")
    (tmp_path / "a.json").write_bytes(b"{}")
    hashes = input_hashes([tmp_path / "tables", tmp_path / "a.json"])
    assert [path for path, _ in hashes] == [
        (tmp_path / "a.json").as_posix(),
        (tmp_path / "tables" / "b.csv").as_posix(),
    ]
    assert hashes[0][1] == hashlib.sha256(b"{}").hexdigest()


def test_every_listed_package_has_a_version_line():
    versions = dict(package_versions())
    assert list(versions) == list(PACKAGES)
    assert versions["pandas"] != "not installed"
