"""Wire-level demo: a client and a server speak the WhatsApp wire protocol over loopback.

A server-role and a client-role ``Connection`` complete a Noise XX handshake over a real
WebSocket on 127.0.0.1 (the client verifying the server's certificate chain against the server's
own root key), then the client sends a ping IQ and the server answers it. Every node is printed
as readable XML. Run it with ``make run``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from botkit.client.transport import Transport
from botkit.core.binary import Node
from botkit.core.connection import NodeReceived
from botkit.core.signal import KeyPair
from botkit.pb import wa6_pb2
from botkit.server.wire import ServerKeys, SessionHandler, WireServer, WireSession
from botkit.types.jid import SERVER_JID

SERVER = SERVER_JID


def show(direction: str, node: Node) -> None:
    print(f"{direction}\n{node.to_xml(indent=2)}\n", flush=True)


class PingServer(SessionHandler):
    """Answers ``w:p`` pings; shows what it receives."""

    async def session_started(self, session: WireSession) -> None:
        payload = session.hello.client_payload
        agent = payload.user_agent if payload is not None else None
        print(
            "server: handshake complete; client static key "
            f"{session.hello.peer_static_key.hex()[:16]}..., platform "
            f"{wa6_pb2.ClientPayload.UserAgent.Platform.Name(agent.platform) if agent else '?'}\n",
            flush=True,
        )

    async def node_received(self, session: WireSession, node: Node) -> None:
        show("server <- client", node)
        if node.tag == "iq" and node.attrs.get("xmlns") == "w:p":
            reply = Node("iq", {"id": node.attrs["id"], "type": "result", "from": SERVER})
            show("server -> client", reply)
            await session.send(reply)


def demo_payload() -> bytes:
    """A login-style ClientPayload like the one botkit's client will send."""
    agent = wa6_pb2.ClientPayload.UserAgent(
        platform=wa6_pb2.ClientPayload.UserAgent.WEB,
        app_version=wa6_pb2.ClientPayload.UserAgent.AppVersion(
            primary=2, secondary=3000, tertiary=1045649367
        ),
        os_version="0.1",
        device="Desktop",
    )
    return wa6_pb2.ClientPayload(
        username=15550001111, device=1, passive=True, pull=True, user_agent=agent
    ).SerializeToString()


async def run_demo() -> None:
    keys = ServerKeys.generate(now=time.time())
    async with WireServer(PingServer(), keys=keys) as server:
        print(f"server: listening on {server.url}; root key {keys.root.public.hex()}\n")
        async with await Transport.open(
            url=server.url,
            noise_key=KeyPair.generate(os.urandom(32)),
            client_payload=demo_payload(),
            trust_root=keys.root.public,
        ) as transport:
            print(
                "client: handshake complete; server certificate chain verified, static key "
                f"{transport.hello.peer_static_key.hex()[:16]}...\n",
                flush=True,
            )
            ping = Node(
                "iq",
                {"id": "demo-1", "type": "get", "xmlns": "w:p", "to": SERVER},
                [Node("ping", {})],
            )
            show("client -> server", ping)
            await transport.send(ping)
            event = await asyncio.wait_for(transport.receive(), timeout=10)
            if not isinstance(event, NodeReceived):
                sys.exit(f"client: expected the ping result, got {event}")
            show("client <- server", event.node)
    print("done: handshake, encrypted ping and pong over a real loopback WebSocket.")


if __name__ == "__main__":
    asyncio.run(run_demo())
