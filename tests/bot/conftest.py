"""Fixtures for the runtime tests: a fake client, a virtual clock and a bot factory."""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from botkit.bot import Runtime, config_from_dict
from botkit.testing import FakeClient, FakeClock, MemoryKeyValueStore

REPO = Path(__file__).resolve().parents[2]
OWNER = "15550002222"

MakeBot = Callable[..., Runtime]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> FakeClient:
    return FakeClient(clock=clock)


@pytest.fixture
def kv() -> MemoryKeyValueStore:
    return MemoryKeyValueStore()


@pytest.fixture
def make_bot(
    client: FakeClient, clock: FakeClock, kv: MemoryKeyValueStore, tmp_path: Path
) -> MakeBot:
    """Return a factory: ``make_bot(enabled=[...], plugins={name: source}, **sections)``."""

    def make(
        enabled: list[str] | None = None,
        plugins: Mapping[str, str] | None = None,
        bot: Mapping[str, Any] | None = None,
        **sections: Any,
    ) -> Runtime:
        folder = tmp_path / "plugins"
        folder.mkdir(exist_ok=True)
        for name, source in (plugins or {}).items():
            (folder / f"{name}.py").write_text(textwrap.dedent(source))
        settings = {
            "owners": [OWNER],
            "prefixes": ["!", "/"],
            "rate_limit": {"jitter_ms": [0, 0]},
            **(bot or {}),
        }
        data = {
            "bot": settings,
            "plugins": {
                "enabled": enabled if enabled is not None else ["commands", *(plugins or {})],
                "paths": [str(folder), str(REPO / "plugins")],
            },
            **sections,
        }
        config = config_from_dict(data, base_dir=tmp_path)
        return Runtime(
            client,
            config,
            kv,
            clock=clock.monotonic,
            wall_clock=clock.time,
            sleep=clock.sleep,
            rng=random.Random(7),
        )

    return make
