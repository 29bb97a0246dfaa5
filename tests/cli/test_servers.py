"""The config's `server:` section: an external sandbox (paired through its control API) and
WhatsApp (its endpoint and root key), as `botkit run` uses them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from botkit.bot.config import config_from_dict
from botkit.bot.launch import server_config
from botkit.cli.run import run_command
from botkit.errors import ConfigError
from botkit.server import Sandbox
from botkit.testing import SandboxUsers

from .helpers import TIMEOUT, sandbox_config

BOT_PHONE = "15550001111"
WA_ROOT = bytes.fromhex(  # PROTOCOL.md, "WhatsApp root public key"
    "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b"
)


def test_server_whatsapp_is_the_real_endpoint_and_root_key() -> None:
    server = server_config(config_from_dict({"server": "whatsapp"}).core.server)
    assert server.url == "wss://web.whatsapp.com/ws/chat"
    assert server.trust_root == WA_ROOT


def test_an_external_server_is_its_url_and_root_key() -> None:
    setting = {"url": "ws://127.0.0.1:9/ws/chat", "root_public_key": "AB" * 32}
    server = server_config(config_from_dict({"server": setting}).core.server)
    assert (server.url, server.trust_root) == ("ws://127.0.0.1:9/ws/chat", b"\xab" * 32)


def test_the_embedded_sandbox_has_no_fixed_address() -> None:
    with pytest.raises(ConfigError):
        server_config("sandbox")


async def test_run_on_whatsapp_without_a_pairing_asks_for_botkit_pair(tmp_path: Path) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text(f"server: whatsapp\nstore: {{path: {tmp_path / 'botkit.db'}}}\n")
    out, err = io.StringIO(), io.StringIO()
    assert await run_command(path, out, err) == 1
    assert "not paired yet" in err.getvalue() and "botkit pair" in err.getvalue()
    assert "connecting" not in out.getvalue()


async def test_run_on_an_external_sandbox_pairs_through_its_control_api(tmp_path: Path) -> None:
    async with Sandbox() as sandbox:
        path = sandbox_config(tmp_path, sandbox, pair_with=BOT_PHONE)
        alice = await SandboxUsers(sandbox).create("Alice")
        answers: list[str] = []

        async def while_running() -> None:
            await alice.send(BOT_PHONE, "!ping")
            answers.append(await alice.expect_reply(timeout=TIMEOUT))

        out, err = io.StringIO(), io.StringIO()
        code = await run_command(path, out, err, stop=while_running)
        assert (code, err.getvalue()) == (0, "")
        assert answers == ["pong"]
        assert len(sandbox.devices(BOT_PHONE)) == 2  # the phone and the bot
        assert "scans the bot's QR code (control API" in out.getvalue()

        # the pairing is in the store: a second run logs in without pairing again
        out = io.StringIO()
        code = await run_command(path, out, err, stop=while_running)
        assert (code, err.getvalue()) == (0, "")
        assert answers == ["pong", "pong"]
        assert "scans" not in out.getvalue()
        assert len(sandbox.devices(BOT_PHONE)) == 2


async def test_run_with_a_plugin_that_cannot_load_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text(
        "store: {path: ':memory:'}\npair_with: '15550001111'\n"
        "plugins: {enabled: [nosuchplugin], paths: []}\n"
    )
    out, err = io.StringIO(), io.StringIO()
    assert await run_command(path, out, err) == 3
    assert "nosuchplugin" in err.getvalue() and "Traceback" not in err.getvalue()
