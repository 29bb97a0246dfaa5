"""Fixtures for the store tests: both backends behind one parametrized ``store`` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botkit.store import MemoryStore, SQLiteStore, Store, StoreOptions
from botkit.testing import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def options(clock: FakeClock) -> StoreOptions:
    return StoreOptions(
        clock=clock.time,
        lease_ttl=30.0,
        renew_interval=None,
        device_list_ttl=600.0,
        sent_cache_size=3,
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
