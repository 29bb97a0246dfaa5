"""`botkit run` on the embedded sandbox: the demo world, and a sandbox that keeps its state beside
the store, so that a second run logs in without pairing (and a lost data dir or store heals)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import signal
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from botkit.cli import main, servers
from botkit.cli.demo import DEMO_GROUP
from botkit.cli.run import run_command
from botkit.server import Sandbox
from botkit.types.jid import JID

from .helpers import REPO, TIMEOUT

BOT = JID("15550001111", "s.whatsapp.net")
ALICE, BOB = "15550002222", "15550003333"

During = Callable[[Sandbox, str], Awaitable[None]]
"""What a test does while the bot runs: given the sandbox and what `botkit run` printed."""


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Sandbox]:
    """The embedded sandboxes `botkit run` starts in this test, in order."""
    sandboxes: list[Sandbox] = []

    class Recorded(Sandbox):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            sandboxes.append(self)

    monkeypatch.setattr(servers, "Sandbox", Recorded)
    return sandboxes


def _config(folder: Path, store: str = "data/botkit.db") -> Path:
    data = {
        "server": "sandbox",
        "store": {"path": store},
        "pair_with": BOT.user,
        "bot": {"owners": [f"+{ALICE}"], "rate_limit": {"jitter_ms": [0, 0]}},
        "plugins": {"enabled": ["commands"], "paths": [str(REPO / "plugins")]},
    }
    path = folder / "bot.yaml"
    path.write_text(json.dumps(data))  # JSON is YAML
    return path


async def _next_text(sandbox: Sandbox, phone: str, count: int) -> str:
    """Return text number ``count`` (from 1) that ``phone``'s phone received, once it did."""
    async with asyncio.timeout(TIMEOUT):
        return str((await sandbox.wait_inbox(phone, count))[count - 1]["text"])


async def _ping(sandbox: Sandbox, printed: str) -> None:
    count = len(sandbox.inbox(ALICE)) + 1
    await sandbox.send_text(ALICE, BOT, "!ping")
    assert await _next_text(sandbox, ALICE, count) == "pong"


async def _run(path: Path, sandboxes: list[Sandbox], during: During = _ping) -> str:
    """Run the bot of ``path`` while ``during`` runs; return what it printed."""
    out, err = io.StringIO(), io.StringIO()

    async def stop() -> None:
        assert "Ctrl-C" not in out.getvalue()  # the prompt comes once Ctrl-C is handled
        await during(sandboxes[-1], out.getvalue())

    assert await run_command(path, out, err, stop=stop) == 0, err.getvalue()
    assert err.getvalue() == ""
    return out.getvalue()


async def test_the_demo_world_answers_in_the_chat_and_in_the_group(
    tmp_path: Path, started: list[Sandbox]
) -> None:
    async def during(sandbox: Sandbox, printed: str) -> None:
        [group] = [g for g in sandbox.world.groups if g.subject == DEMO_GROUP]
        assert group.is_admin(BOT.user) and group.is_member(BOB)
        for needle in (str(BOT), f"+{ALICE}", f"+{BOB}", str(group.jid), sandbox.control_url):
            assert needle in printed
        await _ping(sandbox, printed)
        await sandbox.send_text(BOB, group.jid, "!help")
        assert await _next_text(sandbox, ALICE, 2) == "!help"  # Bob's, then the bot's answer
        assert "!ping" in await _next_text(sandbox, ALICE, 3)

    text = await _run(_config(tmp_path), started, during)
    assert "scans the bot's QR code" in text


async def test_a_second_run_logs_in_without_pairing(tmp_path: Path, started: list[Sandbox]) -> None:
    path = _config(tmp_path)
    await _run(path, started)
    first = [(account.phone, account.lid_user) for account in started[0].world.accounts()]
    text = await _run(path, started)
    again = started[1].world
    assert "scans" not in text and "wiped" not in text and "unlinked" not in text
    assert [(account.phone, account.lid_user) for account in again.accounts()] == first
    assert started[1].devices(BOT.user) == [
        "15550001111@s.whatsapp.net",
        "15550001111:1@s.whatsapp.net",
    ]
    assert sum(1 for group in again.groups if group.subject == DEMO_GROUP) == 1
    data = tmp_path / "data" / "sandbox"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert f"state kept in {data}" in text


async def test_a_deleted_data_dir_wipes_the_pairing_and_pairs_again(
    tmp_path: Path, started: list[Sandbox]
) -> None:
    path = _config(tmp_path)
    await _run(path, started)
    shutil.rmtree(tmp_path / "data" / "sandbox")
    text = await _run(path, started)
    [wiped] = [line for line in text.splitlines() if "wiped" in line]
    assert wiped == (
        "store: account 'main' was paired as 15550001111:1@s.whatsapp.net, "
        "a device the sandbox's data dir does not know (a new data dir?): wiped"
    )
    assert "scans the bot's QR code" in text


async def test_a_deleted_store_unlinks_the_old_device(
    tmp_path: Path, started: list[Sandbox]
) -> None:
    path = _config(tmp_path)
    await _run(path, started)
    for file in (tmp_path / "data").glob("botkit.db*"):
        file.unlink()
    text = await _run(path, started)
    assert "sandbox: unlinked 15550001111:1@s.whatsapp.net" in text
    assert started[1].devices(BOT.user) == [
        "15550001111@s.whatsapp.net",
        "15550001111:2@s.whatsapp.net",
    ]


async def test_a_store_in_memory_keeps_no_sandbox_state(
    tmp_path: Path, started: list[Sandbox]
) -> None:
    path = _config(tmp_path, store=":memory:")
    text = await _run(path, started)
    assert started[0].persistence is None and "state kept" not in text
    assert not (tmp_path / "data").exists()


async def test_a_data_dir_in_use_is_a_readable_failure(tmp_path: Path) -> None:
    path = _config(tmp_path)
    async with Sandbox(data_dir=tmp_path / "data" / "sandbox"):  # another `botkit run` of it
        out, err = io.StringIO(), io.StringIO()
        assert await run_command(path, out, err) == 1
    assert err.getvalue() == (
        "botkit: failed: StoreError: the embedded sandbox's data dir: "
        f"{tmp_path / 'data' / 'sandbox'} is in use by another sandbox\n"
    )
    assert out.getvalue() == ""


async def test_a_store_folder_that_cannot_be_made_is_a_readable_failure(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the store's folder should be")
    out, err = io.StringIO(), io.StringIO()
    assert await run_command(_config(tmp_path), out, err) == 1
    assert err.getvalue().startswith(
        "botkit: failed: StoreError: cannot create the sandbox's folder"
    )


def test_ctrl_c_while_pairing_is_one_line_and_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    closed: list[bool] = []

    async def pairing_forever(path: Path) -> int:  # Ctrl-C lands before until_signal() is up
        try:
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.Event().wait()
        finally:
            closed.append(True)  # the store and the sandbox are closed on the way out
        return 0

    monkeypatch.setattr("botkit.cli.run.run_command", pairing_forever)
    assert main(["run", "bot.yaml"]) == 130
    assert capsys.readouterr().err == "botkit run: interrupted\n"
    assert closed == [True]
