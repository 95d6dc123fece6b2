"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


@pytest.fixture
def write_scenario(tmp_path):
    """Write a TOML scenario file into a temporary folder; returns its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def pytest_addoption(parser):
    group = parser.getgroup("prevsim")
    group.addoption(
        "--refresh-baselines",
        action="store_true",
        help="rewrite tests/baselines/ from this code (only on purpose; say why in the commit)",
    )
    group.addoption(
        "--baseline-exact",
        action="store_true",
        help="compare the regression baseline bit for bit instead of to a relative 1e-9",
    )
