"""End to end on the in-process sandbox: the example bot answers a scripted user; `botkit run`."""

from __future__ import annotations

import asyncio
import json
import shlex
import shutil
import signal
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from botkit.cli import main
from botkit.testing import SandboxBot, SandboxBots, SandboxUsers
from botkit.types.jid import JID

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "sandbox_bot.yaml"
TIMEOUT = 10.0


@pytest.fixture
async def bot(sandbox_bot: SandboxBots) -> SandboxBot:
    """The example bot of examples/sandbox_bot.yaml, on the botkit.testing sandbox."""
    return await sandbox_bot(yaml.safe_load(EXAMPLE.read_text()), base_dir=EXAMPLE.parent)


async def test_bot_logs_in_as_the_paired_number(bot: SandboxBot) -> None:
    assert bot.phone == "15550001111"
    assert bot.running.client.own_jid == JID("15550001111", "s.whatsapp.net")


async def test_ping_gets_pong(bot: SandboxBot, sandbox_users: SandboxUsers) -> None:
    alice = await sandbox_users.create("Alice")
    await alice.send(bot, "!ping")
    await alice.expect_reply("pong", timeout=TIMEOUT)


async def test_help_lists_the_commands(bot: SandboxBot, sandbox_users: SandboxUsers) -> None:
    alice = await sandbox_users.create("Alice")
    await alice.send(bot, "!help")
    answer = await alice.expect_reply(timeout=TIMEOUT)
    for name in ("help", "ping", "about"):
        assert f"!{name}" in answer


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


async def _until(condition: Callable[[], bool], timeout: float) -> None:
    """Return once ``condition()`` holds (it asks another process); fail after ``timeout``."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)  # a poll interval, not a timing assumption

    await asyncio.wait_for(poll(), timeout)


def _control(url: str, body: dict[str, str] | None = None) -> Any:
    """GET ``url`` (POST ``body`` as JSON when given); return the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read())


def _example_copy(folder: Path) -> Path:
    """Return bot.example.yaml as written, in ``folder`` (its ./data goes there, not the repo)."""
    for name in ("plugins", "templates"):
        (folder / name).symlink_to(REPO / name, target_is_directory=True)
    return Path(shutil.copy(REPO / "bot.example.yaml", folder / "bot.example.yaml"))


async def _post(curl: str) -> Any:
    """Do what a printed ``curl -s -X POST URL -H ... -d BODY`` line does; return the answer."""
    words = shlex.split(curl)
    return await asyncio.to_thread(_control, words[4], json.loads(words[-1]))


async def test_botkit_run_of_the_example_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "botkit.cli",
        "run",
        str(_example_copy(tmp_path)),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        while not lines or "Ctrl-C" not in lines[-1]:
            line = await asyncio.wait_for(proc.stdout.readline(), 20)
            assert line, f"botkit run ended early: {lines}"
            lines.append(line.decode())
        ping, help_, inbox = [line for line in lines if "curl" in line]
        assert json.loads(shlex.split(ping)[-1])["text"] == "!ping"
        await _post(ping)
        url = shlex.split(inbox)[-1]
        await _until(lambda: len(_control(url)) == 1, 20)  # a local call: blocking is fine here
        await _post(help_)  # Bob, in the demo group: Alice sees his message and the answer
        await _until(lambda: len(_control(url)) == 3, 20)
        pong, asked, answer = (entry["text"] for entry in _control(url))
        assert (pong, asked) == ("pong", "!help") and "!ping" in answer
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0
    assert (tmp_path / "data" / "botkit.db").is_file() and (tmp_path / "data" / "sandbox").is_dir()
