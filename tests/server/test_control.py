"""The control API: users, device lists, and clear 4xx answers for bad requests."""

from __future__ import annotations

import pytest

from botkit.server.app import Sandbox
from botkit.server.control import loopback

from .companion import http
from .conftest import PHONE


async def test_creating_a_user_returns_its_jid_and_a_distinct_lid(sandbox: Sandbox) -> None:
    status, body = await http(sandbox, "POST", "/control/users", {"phone": "447700900123"})
    assert status == 200
    assert body["jid"] == "447700900123@s.whatsapp.net"
    assert body["lid"].endswith("@lid") and body["lid"] != body["jid"]
    assert sandbox.world.account("447700900123") is not None


async def test_a_new_user_has_only_the_primary_device(sandbox: Sandbox) -> None:
    assert await http(sandbox, "GET", f"/control/devices/{PHONE}") == (
        200,
        [f"{PHONE}@s.whatsapp.net"],
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/control/users", {"phone": PHONE}, 400),
        ("POST", "/control/users", {"phone": "12ab"}, 400),
        ("POST", "/control/users", {"name": "no phone"}, 400),
        ("POST", "/control/users", [1, 2], 400),
        ("POST", "/control/pair", {"phone": PHONE, "qr": "not a qr"}, 400),
        ("POST", "/control/pair", {"phone": "19990000000", "qr": "x"}, 404),
        ("POST", "/control/unlink", {"device_jid": "not@a@jid"}, 400),
        ("GET", "/control/devices/19990000000", None, 404),
        ("GET", "/control/users", None, 405),
        ("POST", "/nowhere", {}, 404),
        ("GET", "/control/inbox/../../", None, 404),
        ("GET", "/control/groups/", None, 400),
        ("GET", "/control/groups/..%2F..", None, 400),
        ("GET", "/control/groups/%ZZ", None, 400),
        ("GET", "/control/groups/15550001111@s.whatsapp.net", None, 400),
        ("POST", "/control/users/../../reset-identity", {}, 404),
    ],
)
async def test_bad_requests_get_a_json_error(
    sandbox: Sandbox, method: str, path: str, body: object, status: int
) -> None:
    got, answer = await http(sandbox, method, path, body)
    assert got == status
    assert isinstance(answer["error"], str) and answer["error"]


async def test_a_body_that_is_not_json_is_a_bad_request(sandbox: Sandbox) -> None:
    status, answer = await http(sandbox, "POST", "/control/users", raw=b"{nope")
    assert status == 400 and "JSON" in answer["error"]


@pytest.mark.parametrize(
    ("host", "bound"),
    [
        ("0.0.0.0", "127.0.0.1"),
        ("127.0.0.2", "127.0.0.2"),
        ("::1", "::1"),
        ("example.org", "127.0.0.1"),
    ],
)
def test_the_control_api_listens_on_loopback_only(host: str, bound: str) -> None:
    assert loopback(host) == bound


async def test_a_sandbox_on_every_interface_keeps_its_control_api_on_loopback() -> None:
    async with Sandbox("0.0.0.0") as sandbox:
        assert sandbox.control_url.startswith("http://127.0.0.1:")
        assert sandbox.ws_url.startswith("ws://0.0.0.0:")


async def test_ensure_user_creates_once_and_then_returns_the_same_account(
    sandbox: Sandbox,
) -> None:
    first = sandbox.ensure_user("15550004444", "Dora")
    again = sandbox.ensure_user("15550004444", "Another name")
    assert again == first
    assert [a.phone for a in sandbox.world.accounts()].count("15550004444") == 1
    with pytest.raises(ValueError):
        sandbox.ensure_user("not a number", "X")
