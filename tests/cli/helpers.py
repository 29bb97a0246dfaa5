"""Shared by the CLI tests: a config file for a sandbox, and output that can be awaited."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

from botkit.server import Sandbox

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0


def sandbox_config(folder: Path, sandbox: Sandbox, *, control: bool = True, **extra: Any) -> Path:
    """Write a bot.yaml in ``folder`` for ``sandbox`` as an external server; return its path.

    ``extra`` adds top-level keys (``pair_with``, ``store``...); the store defaults to a SQLite
    file in ``folder``.
    """
    server: dict[str, str] = {"url": sandbox.ws_url, "root_public_key": sandbox.root_public_key}
    if control:
        server["control_url"] = sandbox.control_url
    data = {
        "server": server,
        "store": {"path": str(folder / "botkit.db")},
        "bot": {"rate_limit": {"jitter_ms": [0, 0]}},
        "plugins": {"enabled": ["commands"], "paths": [str(REPO / "plugins")]},
        **extra,
    }
    path = folder / "bot.yaml"
    path.write_text(json.dumps(data))  # JSON is YAML
    return path


class Lines(io.StringIO):
    """A text stream that also hands each complete line to :meth:`next_line` waiters."""

    def __init__(self) -> None:
        super().__init__()
        self._lines: asyncio.Queue[str] = asyncio.Queue()
        self._partial = ""

    def write(self, text: str) -> int:
        self._partial += text
        *complete, self._partial = self._partial.split("\n")
        for line in complete:
            self._lines.put_nowait(line)
        return super().write(text)

    async def line_with(self, needle: str, timeout: float = TIMEOUT) -> str:
        """Return the next line containing ``needle`` (skipping others)."""
        async with asyncio.timeout(timeout):
            while needle not in (line := await self._lines.get()):
                pass
        return line
