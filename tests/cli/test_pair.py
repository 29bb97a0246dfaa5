"""`botkit pair`: QR pairing (the sandbox's phone scans), phone-code pairing, the stored
pairing, the QR code drawn in the terminal, and the WhatsApp endpoint it connects to."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
import segno

from botkit.bot.launch import paired_jid
from botkit.cli import pair as pair_module
from botkit.cli.pair import pair_command
from botkit.cli.servers import Target
from botkit.cli.terminal_qr import BORDER, render_qr
from botkit.client import ServerConfig
from botkit.errors import NotConnected
from botkit.server import Sandbox
from botkit.store import SQLiteStore
from botkit.types.client_events import QRCodeShown
from botkit.types.jid import JID

from .helpers import TIMEOUT, Lines, sandbox_config
from .test_servers import WA_ROOT

BOT_PHONE = "15550001111"


async def _stored_pairing(path: Path, account: str = "main") -> JID | None:
    store = await SQLiteStore.open(path)
    try:
        return await paired_jid(await store.open_account(account))
    finally:
        await store.close()


async def test_pair_with_on_an_external_sandbox_pairs_and_stores_it(tmp_path: Path) -> None:
    async with Sandbox() as sandbox:
        sandbox.create_user(BOT_PHONE, "Bot")
        path = sandbox_config(tmp_path, sandbox, pair_with=BOT_PHONE)
        out, err = io.StringIO(), io.StringIO()
        assert await pair_command(path, out=out, err=err) == 0, err.getvalue()
        assert "logged in as 15550001111:" in out.getvalue()
        device = await _stored_pairing(tmp_path / "botkit.db")
        assert device is not None and device.user == BOT_PHONE
        assert str(device) in sandbox.devices(BOT_PHONE)

        # paired already: it only logs in again
        out = io.StringIO()
        assert await pair_command(path, out=out, err=err) == 0, err.getvalue()
        assert "paired already" in out.getvalue() and "QR" not in out.getvalue()
        assert len(sandbox.devices(BOT_PHONE)) == 2


async def test_pair_by_phone_shows_an_8_character_code_and_exits_0_once_entered(
    tmp_path: Path,
) -> None:
    async with Sandbox() as sandbox:
        path = sandbox_config(tmp_path, sandbox)  # no pair_with: a person enters the code
        out, err = Lines(), io.StringIO()
        task = asyncio.create_task(pair_command(path, phone="+1 555 000-1111", out=out, err=err))
        line = await out.line_with("pairing code for +15550001111:")
        code = line.rsplit(" ", 1)[1]
        assert len(code) == 9 and code[4] == "-"
        assert BOT_PHONE in str(await sandbox.linker.pair_code(BOT_PHONE, code.replace("-", "")))
        assert await asyncio.wait_for(task, TIMEOUT) == 0, err.getvalue()
        assert "QR" not in out.getvalue()
        device = await _stored_pairing(tmp_path / "botkit.db")
        assert device is not None and device.user == BOT_PHONE


async def test_pair_rejects_the_embedded_sandbox_and_bad_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text("server: sandbox\npair_with: '15550001111'\n")
    err = io.StringIO()
    assert await pair_command(path, out=io.StringIO(), err=err) == 2
    assert "server" in err.getvalue() and "botkit run" in err.getvalue()

    path.write_text("server: whatsapp\n")
    err = io.StringIO()
    assert await pair_command(path, phone="call me", out=io.StringIO(), err=err) == 2
    assert "--phone" in err.getvalue()


async def test_pair_on_whatsapp_connects_to_the_real_endpoint_with_its_root_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[ServerConfig] = []

    class Unreachable:
        def __init__(self, store: object, *, server: ServerConfig, **options: Any) -> None:
            seen.append(server)

        def subscribe(self, *kinds: type) -> asyncio.Queue[object]:
            return asyncio.Queue()

        async def connect(self) -> None:
            raise NotConnected("no network in tests")

        async def close(self) -> None:
            pass

    monkeypatch.setattr(pair_module, "ClientAdapter", Unreachable)
    path = tmp_path / "bot.yaml"
    path.write_text(f"server: whatsapp\nstore: {{path: {tmp_path / 'botkit.db'}}}\n")
    out, err = io.StringIO(), io.StringIO()
    assert await pair_command(path, out=out, err=err) == 1
    assert seen == [ServerConfig(url="wss://web.whatsapp.com/ws/chat", trust_root=WA_ROOT)]
    assert "connecting to wss://web.whatsapp.com/ws/chat" in out.getvalue()
    assert "NotConnected" in err.getvalue()


def test_a_qr_code_without_an_automatic_scanner_is_drawn_in_the_terminal() -> None:
    out = io.StringIO()
    target = Target(ServerConfig(), None)
    code = "2@" + "r" * 40 + "," + "n" * 44 + "," + "i" * 44 + "," + "a" * 44
    pair_module._progress(QRCodeShown(code, 0), None, target, out)
    assert "Linked devices" in out.getvalue()
    assert render_qr(code) in out.getvalue()
    assert code not in out.getvalue()  # the raw string (key material) is never printed


@pytest.mark.parametrize("text", ["a", "2@ref,noise,identity,adv", "x" * 250])
def test_render_qr_draws_every_module_of_the_qr_code(text: str) -> None:
    matrix = [list(row) for row in segno.make_qr(text, error="l").matrix_iter(border=BORDER)]
    lines = render_qr(text).split("\n")
    assert len(lines) == (len(matrix) + 1) // 2
    halves = {"█": (0, 0), "▀": (0, 1), "▄": (1, 0), " ": (1, 1)}  # (upper dark, lower dark)
    drawn: list[list[int]] = [[], []]
    for n, line in enumerate(lines):
        assert len(line) == len(matrix[0])
        upper = [halves[ch][0] for ch in line]
        lower = [halves[ch][1] for ch in line]
        assert upper == [int(bool(m)) for m in matrix[2 * n]]
        if 2 * n + 1 < len(matrix):
            assert lower == [int(bool(m)) for m in matrix[2 * n + 1]]
        drawn[0].extend(upper)
    assert set(drawn[0]) == {0, 1}
