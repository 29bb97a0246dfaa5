"""Hostile clients lose their own connection only: everyone else keeps being served."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed as WebSocketClosed

from botkit.core.binary import Node
from botkit.core.connection import Connection, HandshakeComplete, Role
from botkit.core.noise.framing import encode_frame
from botkit.core.signal import KeyPair
from botkit.server.app import Sandbox

from .companion import Companion, Connected, pair
from .conftest import PHONE

Attack = Callable[[Sandbox], Coroutine[Any, Any, None]]


async def _expect_close(ws: Any) -> None:
    with pytest.raises(WebSocketClosed):
        while True:
            await asyncio.wait_for(ws.recv(), 10)


async def garbage_hello(sandbox: Sandbox) -> None:
    async with connect(sandbox.ws_url, compression=None, proxy=None) as ws:
        await ws.send(b"WA\x06\x03" + encode_frame(os.urandom(40)))
        await _expect_close(ws)


async def wrong_intro(sandbox: Sandbox) -> None:
    async with connect(sandbox.ws_url, compression=None, proxy=None) as ws:
        await ws.send(b"XX\x01\x02" + os.urandom(100))
        await _expect_close(ws)


async def broken_finish(sandbox: Sandbox) -> None:
    conn = Connection(
        Role.CLIENT,
        static_key=KeyPair.generate(os.urandom(32)),
        client_payload=b"",
        now=time.time,
        rng=os.urandom,
        trust_root=sandbox.keys.root.public,
    )
    async with connect(sandbox.ws_url, compression=None, proxy=None) as ws:
        await ws.send(conn.initiate())
        conn.receive_data(await ws.recv(decode=False))
        assert isinstance(conn.next_event(), HandshakeComplete)
        finish = bytearray(conn.data_to_send())
        finish[-5] ^= 0xFF
        await ws.send(bytes(finish))
        await _expect_close(ws)


async def undecodable_nodes(sandbox: Sandbox) -> None:
    companion = Companion()
    conn = await companion.connect(sandbox, companion.registration_payload())
    await conn.node("iq")
    # A hostile client writes raw frames: reach the transport's keys and socket directly.
    inner = conn.transport._connection
    keys = inner._keys
    assert keys is not None
    await conn.transport._ws.send(encode_frame(keys.write.encrypt(b"\x00\xf8\xff\xff")))
    answer = await conn.iq("w:p", "get")
    assert answer.attrs["type"] == "result"
    await conn.close()


async def text_and_garbage_after_the_handshake(sandbox: Sandbox) -> None:
    companion = Companion()
    conn = await companion.connect(sandbox, companion.registration_payload())
    await conn.node("iq")
    await conn.transport._ws.send("not binary")
    await conn.transport._ws.send(os.urandom(64))
    await conn.close()


async def iq_without_type(sandbox: Sandbox) -> None:
    companion = Companion()
    conn = await companion.connect(sandbox, companion.registration_payload())
    await conn.node("iq")
    await conn.send(Node("iq", {"id": "x1", "xmlns": "w:p"}))
    answer = await conn.node("iq")
    assert answer.attrs["type"] == "error"
    await conn.close()


@pytest.mark.parametrize(
    "attack",
    [
        garbage_hello,
        wrong_intro,
        broken_finish,
        undecodable_nodes,
        text_and_garbage_after_the_handshake,
        iq_without_type,
    ],
)
async def test_a_hostile_client_does_not_disturb_a_logged_in_one(
    sandbox: Sandbox, attack: Attack
) -> None:
    companion = Companion()
    await pair(sandbox, PHONE, companion)
    honest: Connected = await companion.connect(sandbox, companion.login_payload())
    await honest.node("success")
    await attack(sandbox)
    assert (await honest.iq("w:p", "get")).attrs["type"] == "result"
    await honest.close()
