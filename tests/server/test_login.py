"""Logging in a linked device: success with the LID, 401 failures, replacement and unlinking."""

from __future__ import annotations

import pytest

from botkit.core.binary import Node
from botkit.core.signal import KeyPair
from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .companion import Companion, Connected, http, pair
from .conftest import PHONE


@pytest.fixture
async def linked(sandbox: Sandbox) -> Companion:
    companion = Companion()
    await pair(sandbox, PHONE, companion)
    return companion


async def test_a_linked_device_logs_in_and_gets_its_lid(
    sandbox: Sandbox, linked: Companion
) -> None:
    conn = await linked.connect(sandbox, linked.login_payload())
    success = await conn.node("success")
    account = sandbox.world.account(PHONE)
    assert account is not None
    assert success.attrs["lid"] == JID(account.lid_user, "lid", device=1)
    assert success.attrs["t"].isdigit()  # type: ignore[union-attr]
    await conn.close()


async def test_an_unknown_device_gets_failure_401(sandbox: Sandbox) -> None:
    stranger = Companion()
    conn = await stranger.connect(sandbox, stranger.login_payload(JID(PHONE, "s.whatsapp.net", 9)))
    closing = await conn.closing_node()
    assert closing is not None and closing.tag == "failure"
    assert closing.attrs["reason"] == "401"


async def test_a_device_with_another_noise_key_gets_failure_401(
    sandbox: Sandbox, linked: Companion
) -> None:
    impostor = Companion(noise=KeyPair.generate(bytes(range(32))))
    conn = await impostor.connect(sandbox, linked.login_payload())
    closing = await conn.closing_node()
    assert closing is not None and closing.attrs.get("reason") == "401"


async def test_a_second_connection_replaces_the_first(sandbox: Sandbox, linked: Companion) -> None:
    first = await linked.connect(sandbox, linked.login_payload())
    await first.node("success")
    second = await linked.connect(sandbox, linked.login_payload())
    await second.node("success")
    closing = await first.closing_node()
    assert closing is not None and closing.tag == "stream:error"
    conflict = closing.get_child("conflict")
    assert conflict is not None and conflict.attrs["type"] == "replaced"
    assert (await second.iq("w:p", "get")).attrs["type"] == "result"
    await second.close()


async def _logged_in(sandbox: Sandbox, companion: Companion) -> Connected:
    conn = await companion.connect(sandbox, companion.login_payload())
    await conn.node("success")
    return conn


async def test_unlink_logs_the_device_out_and_forgets_it(
    sandbox: Sandbox, linked: Companion
) -> None:
    conn = await _logged_in(sandbox, linked)
    status, _ = await http(sandbox, "POST", "/control/unlink", {"device_jid": str(linked.jid)})
    assert status == 200
    closing = await conn.closing_node()
    assert closing is not None and closing.attrs["code"] == "401"
    conflict = closing.get_child("conflict")
    assert conflict is not None and conflict.attrs["type"] == "device_removed"
    assert sandbox.devices(PHONE) == [f"{PHONE}@s.whatsapp.net"]
    again = await linked.connect(sandbox, linked.login_payload())
    failure = await again.closing_node()
    assert failure is not None and failure.attrs["reason"] == "401"


async def test_unlinking_an_unknown_device_is_not_found(sandbox: Sandbox) -> None:
    body = {"device_jid": f"{PHONE}:7@s.whatsapp.net"}
    assert (await http(sandbox, "POST", "/control/unlink", body))[0] == 404


async def test_a_device_can_remove_itself(sandbox: Sandbox, linked: Companion) -> None:
    conn = await _logged_in(sandbox, linked)
    assert linked.jid is not None
    child = Node("remove-companion-device", {"jid": linked.jid, "reason": "user_initiated"})
    await conn.send(Node("iq", {"id": "rm-1", "xmlns": "md", "type": "set"}, [child]))
    closing = await conn.closing_node()
    assert closing is not None and closing.attrs["code"] == "401"
    assert sandbox.world.device(linked.jid) is None
