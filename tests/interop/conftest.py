"""Fixtures for the interop tests: one Baileys oracle process per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .oracle import Oracle, OracleUnavailable

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.interop)


@pytest.fixture(scope="session")
def oracle() -> Iterator[Oracle]:
    """A running Baileys oracle; a missing Node install fails the test (never skips it)."""
    try:
        running = Oracle()
    except OracleUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    with running:
        yield running
