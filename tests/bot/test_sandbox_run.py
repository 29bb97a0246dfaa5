"""End to end on the in-process sandbox: the runtime on a real Client answers a simulated user."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import urllib.request
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from botkit.bot import load_config
from botkit.bot.launch import RunningBot, running_bot
from botkit.cli import main
from botkit.client import ClientTiming, KeepAliveTiming, PairingTiming, ServerConfig
from botkit.server import Sandbox
from botkit.store import MemoryStore, StoreOptions
from botkit.types.jid import JID

REPO = Path(__file__).resolve().parents[2]
BOT_PHONE = "15550001111"
USER_PHONE = "15550002222"
TIMEOUT = 10.0
FAST = ClientTiming(
    iq_timeout=5.0,
    pairing=PairingTiming(qr_timeouts=(10.0, 10.0), refs_timeout=5.0),
    keepalive=KeepAliveTiming(),
)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(ref_timeouts=(10.0, 10.0), reply_timeout=5.0) as running:
        running.create_user(BOT_PHONE, "Bot")
        running.create_user(USER_PHONE, "Demo user")
        yield running


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[RunningBot]:
    config = load_config(REPO / "examples" / "sandbox_bot.yaml")
    memory = MemoryStore(StoreOptions(renew_interval=None))
    account = await memory.open_account(config.core.account)
    server = ServerConfig.from_ready_line(sandbox.ready_line())

    async def scan(code: str) -> object:
        return await sandbox.linker.pair_qr(BOT_PHONE, code)

    async with running_bot(config, account, server=server, pair=scan, timing=FAST) as running:
        yield running
    await memory.close()


async def _until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Return once ``condition()`` holds; fail after ``timeout`` seconds."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)  # a poll interval, not a timing assumption

    await asyncio.wait_for(poll(), timeout)


def _texts(sandbox: Sandbox) -> list[str]:
    return [str(entry["text"]) for entry in sandbox.inbox(USER_PHONE)]


async def _ask(sandbox: Sandbox, bot: RunningBot, text: str) -> str:
    """Send ``text`` from the demo user to the bot; return the bot's answer."""
    before = len(_texts(sandbox))
    await sandbox.send_text(USER_PHONE, bot.connected.jid.to_non_ad(), text)
    await _until(lambda: len(_texts(sandbox)) > before)
    return _texts(sandbox)[before]


async def test_bot_logs_in_as_the_paired_number(bot: RunningBot) -> None:
    assert bot.client.own_jid == JID(BOT_PHONE, "s.whatsapp.net")


async def test_ping_gets_pong(sandbox: Sandbox, bot: RunningBot) -> None:
    assert await _ask(sandbox, bot, "!ping") == "pong"


async def test_help_lists_the_commands(sandbox: Sandbox, bot: RunningBot) -> None:
    answer = await _ask(sandbox, bot, "!help")
    for name in ("help", "ping", "about"):
        assert name in answer


def test_run_with_a_broken_config_exits_2_with_a_readable_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text("server: sandbox\nbot:\n  prefixes: []\n")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bot.yaml" in err and "prefixes" in err
    assert "Traceback" not in err


def test_run_with_a_missing_config_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read the configuration" in capsys.readouterr().err


def _control(url: str, body: dict[str, str] | None = None) -> Any:
    """GET ``url`` (POST ``body`` as JSON when given); return the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read())


async def test_botkit_run_answers_ping_and_stops_on_sigterm() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "botkit.cli",
        "run",
        str(REPO / "examples" / "sandbox_bot.yaml"),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        while not lines or "Ctrl-C" not in lines[-1]:
            line = await asyncio.wait_for(proc.stdout.readline(), 20)
            assert line, f"botkit run ended early: {lines}"
            lines.append(line.decode())
        curl = next(line for line in lines if "/control/messages" in line)
        control = curl.split()[4].removesuffix("/control/messages")
        body = json.loads(curl.split("-d ", 1)[1].strip().strip("'"))
        assert body["text"] == "!ping"
        await asyncio.to_thread(_control, control + "/control/messages", body)
        inbox = f"{control}/control/inbox/{body['from']}"

        await _until(lambda: bool(_control(inbox)), 20)  # a local call: blocking is fine here
        assert [entry["text"] for entry in _control(inbox)] == ["pong"]
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0
