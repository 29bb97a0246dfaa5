"""Benchmark the group fan-out of botkit's client against Baileys' on one sandbox, in one run.

Usage: python bench/group_fanout.py [--participants N] [--devices D] [--messages M] [--sqlite]

A sandbox runs in its own process (this script with ``--serve``) holding N accounts (default
256), each with a simulated phone and D-1 more companion devices that stay offline (default
D = 2: 512 devices). botkit (a :class:`~botkit.client.Client` in this process) and Baileys
(``bench/baileys_group_fanout.mjs``, Node) are each paired as their own account and each create
a group of the N accounts, then:

  first   the first text to the new group: device lists, pre-key bundles, one new Signal
          session per device (N*D), the sender-key distribution to each, the skmsg
  more    M more texts (default 100), one after the other

Every text is timed until the server's ack. Prints the seconds of each phase for both, and the
ratio Baileys/botkit (above 1: botkit is faster). The "more" phase is bound by the sandbox: it
handles one message of a connection at a time, and its N simulated phones decrypt every text
before the next is acknowledged, so both clients mostly wait for it there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from botkit.client import Client, ClientTiming, ServerConfig
from botkit.client.devices import local_device
from botkit.client.group_send import KeyHolders
from botkit.client.send import own_sender_key
from botkit.core.signal import KeyPair, generate_prekeys, generate_signed_prekey
from botkit.server import Sandbox
from botkit.server.world import Account, Device, SignedKey
from botkit.store import AccountStore, MemoryStore, SQLiteStore, Store, StoreOptions
from botkit.types.client_events import Connected, QRCodeShown
from botkit.types.jid import JID
from botkit.types.message import TextMessage

ROOT = Path(__file__).resolve().parent.parent
INTEROP = ROOT / "tests" / "interop"
BOTKIT_PHONE, BAILEYS_PHONE = "15550000001", "15550000002"
FIRST_MEMBER = 15551000000
LONG = 600.0


# -- the sandbox process ---------------------------------------------------------------------


def _add_companion(account: Account, device_id: int) -> None:
    """Give ``account`` an offline companion device with published keys."""
    identity = KeyPair.generate(os.urandom(32))
    signed = generate_signed_prekey(identity, 1, os.urandom)
    account.devices[device_id] = Device(
        jid=JID(account.phone, "s.whatsapp.net", device_id),
        lid=JID(account.lid_user, "lid", device_id),
        noise_key=os.urandom(32),
        identity=identity.public,
        registration_id=int.from_bytes(os.urandom(2), "big") + 1,
        signed_pre_key=SignedKey(signed.key_id, signed.key_pair.public, signed.signature),
        key_index=device_id,
        signed_identity=b"",
        pre_keys={key.key_id: key.key_pair.public for key in generate_prekeys(1, 4, os.urandom)},
    )
    account.next_device_id = device_id + 1
    account.next_key_index = device_id + 1


async def serve(participants: int, devices: int) -> None:
    """Run the sandbox with the accounts; print its ready line; stop when stdin closes."""
    async with Sandbox(ref_timeouts=(60.0, 60.0), reply_timeout=60.0) as sandbox:
        for phone in (BOTKIT_PHONE, BAILEYS_PHONE):
            sandbox.create_user(phone, phone)
        for n in range(participants):
            sandbox.create_user(str(FIRST_MEMBER + n), f"member {n}")
            account = sandbox.world.account(str(FIRST_MEMBER + n))
            assert account is not None
            for device_id in range(1, devices):
                _add_companion(account, device_id)
        print(json.dumps(sandbox.ready_line()), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# -- the two clients -------------------------------------------------------------------------


async def _post(url: str, body: dict[str, Any]) -> Any:
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    payload = json.dumps(body).encode()
    head = f"POST /{path} HTTP/1.1\r\nHost: {host_port}\r\nContent-Length: {len(payload)}\r\n"
    writer.write(head.encode() + b"Content-Type: application/json\r\n\r\n" + payload)
    response = await reader.read()
    writer.close()
    status = int(response.split(b" ")[1])
    if status != 200:
        raise RuntimeError(f"{path}: {response.decode(errors='replace')}")
    return json.loads(response.partition(b"\r\n\r\n")[2])


class Baileys:
    """The Node side: JSON lines both ways."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def next(self, name: str) -> dict[str, Any]:
        assert self.proc.stdout is not None
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), LONG)
            if not line:
                raise RuntimeError("Baileys exited")
            event: dict[str, Any] = json.loads(line)
            if event["event"] in (name, "failed", "close"):
                if event["event"] != name:
                    raise RuntimeError(f"Baileys: {event}")
                return event

    async def ask(self, name: str, **request: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        await self.proc.stdin.drain()
        return await self.next(name)


async def run_baileys(ready: dict[str, str], members: list[str], messages: int) -> list[float]:
    """Pair Baileys, create its group, time the first and the ``messages`` more texts."""
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(ROOT / "bench" / "baileys_group_fanout.mjs"),
        ready["ws_url"],
        ready["root_public_key"],
        cwd=INTEROP,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=2**24,
    )
    baileys = Baileys(proc)
    try:
        qr = (await baileys.next("qr"))["qr"]
        await _post(ready["control_url"] + "/control/pair", {"phone": BAILEYS_PHONE, "qr": qr})
        await baileys.next("open")
        group = await baileys.ask("created", op="create", subject="bench", participants=members)
        first = await baileys.ask("sent", op="send", to=group["id"], count=1)
        more = await baileys.ask("sent", op="send", to=group["id"], count=messages)
        return [first["seconds"], more["seconds"]]
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.kill()
        await proc.wait()


async def _key_holders(store: AccountStore, group: JID) -> int:
    """Return how many devices hold botkit's current sender key of ``group``."""
    record = await own_sender_key(store, group, local_device(await store.load_credentials()))
    assert record is not None
    key_id = record.states[0].key_id
    return len(await KeyHolders(store).get(group, key_id))


async def run_botkit(
    ready: dict[str, str], members: list[str], messages: int, sqlite: bool
) -> list[float]:
    """Pair a botkit client, create its group, time the first and the ``messages`` more texts.

    The client's store is in memory, or with ``sqlite`` a SQLite file in a temporary folder.
    """
    events: asyncio.Queue[Any] = asyncio.Queue()

    async def sink(event: Any) -> None:
        events.put_nowait(event)

    async def next_of(kind: type) -> Any:
        while not isinstance(event := await events.get(), kind):
            pass
        return event

    async with AsyncExitStack() as stack:
        options = StoreOptions(renew_interval=None)
        if sqlite:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            database: Store = await SQLiteStore.open(Path(folder) / "bench.db", options)
        else:
            database = MemoryStore(options)
        stack.push_async_callback(database.close)
        store = await database.open_account("bench")
        server = ServerConfig.from_ready_line(ready)
        client = Client(store, sink, server=server, timing=ClientTiming(iq_timeout=LONG))
        await client.connect()
        stack.push_async_callback(client.disconnect)
        code = (await next_of(QRCodeShown)).code
        await _post(ready["control_url"] + "/control/pair", {"phone": BOTKIT_PHONE, "qr": code})
        await next_of(Connected)
        info = await client.groups.create("bench", [JID.parse(m) for m in members])
        start = time.perf_counter()
        await client.send_message(info.jid, TextMessage("botkit first"))
        first = time.perf_counter() - start
        holders = await _key_holders(store, info.jid)
        print(f"botkit's first text gave its sender key to {holders} devices", flush=True)
        start = time.perf_counter()
        for n in range(messages):
            await client.send_message(info.jid, TextMessage(f"botkit {n}"))
        return [first, time.perf_counter() - start]


async def main(participants: int, devices: int, messages: int, sqlite: bool) -> None:
    sandbox = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        "--participants",
        str(participants),
        "--devices",
        str(devices),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert sandbox.stdout is not None
        ready = json.loads(await asyncio.wait_for(sandbox.stdout.readline(), LONG))
        members = [f"{FIRST_MEMBER + n}@s.whatsapp.net" for n in range(participants)]
        botkit = await run_botkit(ready, members, messages, sqlite)
        baileys = await run_baileys(ready, members, messages)
    finally:
        if sandbox.stdin is not None:
            sandbox.stdin.close()
        await sandbox.wait()
    store = "SQLite" if sqlite else "in-memory"
    print(f"group of {participants} participants x {devices} devices, then {messages} texts")
    print(f"(botkit's store: {store})")
    for name, ours, theirs in zip(("first", "more"), botkit, baileys, strict=True):
        print(
            f"  {name:5}  botkit {ours:8.3f} s   Baileys {theirs:8.3f} s"
            f"   ratio Baileys/botkit {theirs / ours:6.2f}x"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=256)
    parser.add_argument("--devices", type=int, default=2)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--sqlite", action="store_true", help="botkit keeps a SQLite store")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.participants, args.devices))
    else:
        asyncio.run(main(args.participants, args.devices, args.messages, args.sqlite))
