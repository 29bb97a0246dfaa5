"""``botkit sandbox`` as a process: one JSON line when ready, then serves until SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import sys

import pytest

from botkit import cli

from .companion import Companion


async def test_botkit_sandbox_prints_one_json_line_and_serves() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "botkit.cli",
        "sandbox",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        ready = json.loads(await asyncio.wait_for(proc.stdout.readline(), 20))
        assert set(ready) == {"ws_url", "control_url", "media_url", "root_public_key"}
        assert ready["ws_url"].startswith("ws://127.0.0.1:")
        assert ready["ws_url"].endswith("/ws/chat")
        root = bytes.fromhex(ready["root_public_key"])
        companion = Companion()
        conn = await companion.connect_to(ready["ws_url"], root, companion.registration_payload())
        assert (await conn.node("iq")).get_child("pair-device") is not None
        await conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0
    assert await proc.stdout.read() == b""


async def test_the_ready_line_comes_once_sigterm_is_handled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    printed_before: list[str] = []

    async def until_signal() -> None:  # its first step is where the real one installs handlers
        printed_before.append(capsys.readouterr().out)

    monkeypatch.setattr(cli, "until_signal", until_signal)
    assert await cli._run_sandbox("127.0.0.1", 0, 0, None) == 0
    assert printed_before == [""]  # a script that signals on the ready line is heard
    assert "ws_url" in capsys.readouterr().out
