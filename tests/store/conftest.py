"""Fixtures for the store tests: both backends behind one parametrized ``store`` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botkit.store import MemoryStore, SQLiteStore, Store, StoreOptions


class FakeClock:
    """An injectable clock: tests move time instead of sleeping."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def options(clock: FakeClock) -> StoreOptions:
    return StoreOptions(
        clock=clock, lease_ttl=30.0, renew_interval=None, device_list_ttl=600.0, sent_cache_size=3
    )


@pytest.fixture(params=["memory", "sqlite"])
async def store(
    request: pytest.FixtureRequest, options: StoreOptions, tmp_path: Path
) -> AsyncIterator[Store]:
    opened: Store
    if request.param == "memory":
        opened = MemoryStore(options)
    else:
        opened = await SQLiteStore.open(tmp_path / "botkit.db", options)
    yield opened
    await opened.close()
