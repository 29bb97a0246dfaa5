"""Benchmark botkit's binary node codec against Baileys' on the same realistic mix of nodes.

Usage: python bench/codec.py [--nodes N] [--rounds R] [--seed S]

Builds a deterministic mix (message fan-outs to many devices with encrypted payloads, receipts,
acks, usync IQs and results, notifications), times botkit's encode_node/decode_node on it, runs
bench/baileys_codec.mjs on the same nodes and bytes (Node, from tests/interop), and prints
nodes/s and MB/s for both and the ratio botkit/Baileys each way.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable

from node_peer import run_node_peer

from botkit.core.binary import Node, decode_node, encode_node
from botkit.types import JID, SERVER_JID


class MixBuilder:
    """Makes realistic nodes from a seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def msg_id(self) -> str:
        return "3EB0" + self.rng.randbytes(9).hex().upper()

    def pn(self, device: int = 0) -> JID:
        return JID(str(self.rng.randrange(10**10, 10**12)), "s.whatsapp.net", device)

    def lid(self, device: int = 0) -> JID:
        return JID(str(self.rng.randrange(10**14, 10**15)), "lid", device)

    def group(self) -> JID:
        return JID("120363" + str(self.rng.randrange(10**11, 10**12)), "g.us")

    def stamp(self) -> str:
        return str(self.rng.randrange(1_700_000_000, 1_800_000_000))

    def fanout(self) -> Node:
        """A group or 1:1 send: one pkmsg/msg per device plus the sender-key message."""
        devices = self.rng.choice((3, 8, 20, 60))
        to = [
            Node(
                "to",
                {"jid": self.lid(self.rng.choice((0, 1, 2, 5, 12)))},
                [
                    Node(
                        "enc",
                        {"v": "2", "type": self.rng.choice(("pkmsg", "msg"))},
                        self.rng.randbytes(self.rng.randrange(150, 700)),
                    )
                ],
            )
            for _ in range(devices)
        ]
        return Node(
            "message",
            {"id": self.msg_id(), "to": self.group(), "type": "text", "phash": "2:Ab3dE9fg"},
            [
                Node("participants", {}, to),
                Node("enc", {"v": "2", "type": "skmsg"}, self.rng.randbytes(160)),
                Node("device-identity", {}, self.rng.randbytes(150)),
            ],
        )

    def incoming(self) -> Node:
        return Node(
            "message",
            {
                "from": self.group(),
                "id": self.msg_id(),
                "participant": self.lid(),
                "t": self.stamp(),
                "type": "text",
                "notify": "Alice",
                "addressing_mode": "lid",
            },
            [Node("enc", {"v": "2", "type": "skmsg"}, self.rng.randbytes(200))],
        )

    def receipt(self) -> Node:
        attrs: dict[str, str | JID] = {"id": self.msg_id(), "from": self.pn(), "t": self.stamp()}
        if self.rng.random() < 0.5:
            attrs["participant"] = self.lid(self.rng.randrange(1, 20))
            attrs["type"] = "read"
        content = None
        if self.rng.random() < 0.3:
            content = [Node("list", {}, [Node("item", {"id": self.msg_id()}) for _ in range(4)])]
        return Node("receipt", attrs, content)

    def ack(self) -> Node:
        return Node(
            "ack",
            {
                "id": self.msg_id(),
                "class": self.rng.choice(("receipt", "message", "notification")),
                "to": self.pn(),
                "participant": self.lid(),
                "type": "read",
            },
        )

    def usync_query(self) -> Node:
        users = [Node("user", {"jid": self.pn()}) for _ in range(self.rng.choice((1, 5, 30)))]
        usync = Node(
            "usync",
            {
                "sid": self.msg_id(),
                "mode": "query",
                "last": "true",
                "index": "0",
                "context": "message",
            },
            [
                Node("query", {}, [Node("devices", {"version": "2"}), Node("lid")]),
                Node("list", {}, users),
            ],
        )
        return Node(
            "iq", {"id": self.msg_id(), "to": SERVER_JID, "type": "get", "xmlns": "usync"}, [usync]
        )

    def usync_result(self) -> Node:
        users = []
        for _ in range(self.rng.choice((1, 5, 30))):
            devices = [Node("device", {"id": "0"})] + [
                Node("device", {"id": str(d), "key-index": str(d)}) for d in (1, 5, 12)
            ]
            users.append(
                Node(
                    "user",
                    {"jid": self.pn()},
                    [
                        Node(
                            "devices",
                            {},
                            [
                                Node("device-list", {}, devices),
                                Node(
                                    "key-index-list", {"ts": self.stamp()}, self.rng.randbytes(90)
                                ),
                            ],
                        ),
                        Node("lid", {"val": self.lid()}),
                    ],
                )
            )
        return Node(
            "iq",
            {"from": SERVER_JID, "id": self.msg_id(), "type": "result"},
            [Node("usync", {"sid": self.msg_id(), "mode": "query"}, [Node("list", {}, users)])],
        )

    def notification(self) -> Node:
        if self.rng.random() < 0.5:
            return Node(
                "notification",
                {"from": SERVER_JID, "id": self.stamp(), "t": self.stamp(), "type": "encrypt"},
                [Node("count", {"value": "4"})],
            )
        return Node(
            "notification",
            {
                "from": self.group(),
                "id": self.stamp(),
                "participant": self.lid(),
                "t": self.stamp(),
                "type": "w:gp2",
            },
            [Node("add", {}, [Node("participant", {"jid": self.lid()}) for _ in range(3)])],
        )

    def mix(self, count: int) -> list[Node]:
        kinds: list[tuple[Callable[[], Node], int]] = [
            (self.fanout, 10),
            (self.incoming, 20),
            (self.receipt, 25),
            (self.ack, 20),
            (self.usync_query, 5),
            (self.usync_result, 5),
            (self.notification, 15),
        ]
        makers, weights = zip(*kinds, strict=True)
        return [self.rng.choices(makers, weights)[0]() for _ in range(count)]


def to_json(node: Node) -> dict[str, object]:
    """The node as Baileys sees it: JIDs as their string form, bytes as hex."""
    content = node.content
    return {
        "tag": node.tag,
        "attrs": {key: str(value) for key, value in node.attrs.items()},
        "content": None
        if content is None
        else {"hex": content.hex()}
        if isinstance(content, bytes)
        else [to_json(child) for child in content],
    }


def count_nodes(node: Node) -> int:
    """Return the number of nodes in this tree."""
    return 1 + sum(count_nodes(child) for child in node.children)


def best_time(fn: Callable[[], object], rounds: int) -> float:
    """Seconds per round, best of five repetitions after one warm-up round."""
    fn()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        best = min(best, (time.perf_counter() - start) / rounds)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    opts = parser.parse_args(argv)

    nodes = MixBuilder(opts.seed).mix(opts.nodes)
    encoded = [encode_node(node) for node in nodes]
    if any(decode_node(b) != n for b, n in zip(encoded, nodes, strict=True)):
        raise SystemExit("botkit does not round-trip the mix")
    total = sum(map(len, encoded))

    def encode_all() -> None:
        for node in nodes:
            encode_node(node)

    def decode_all() -> None:
        for data in encoded:
            decode_node(data)

    # Like the Node script, each result is dropped as soon as it is made.
    ours_encode = best_time(encode_all, opts.rounds)
    ours_decode = best_time(decode_all, opts.rounds)

    theirs = run_node_peer(
        "baileys_codec.mjs",
        {
            "rounds": opts.rounds * 4,
            "nodes": [to_json(n) for n in nodes],
            "encoded": [b.hex() for b in encoded],
        },
    )

    print(
        f"mix: {len(nodes)} top-level nodes ({sum(map(count_nodes, nodes))} with children),"
        f" {total / 1e6:.2f} MB encoded, seed {opts.seed}; nodes/s counts top-level nodes"
    )
    print(f"Baileys encodings that differ from ours: {theirs['mismatches']}")
    rows = [
        ("encode", ours_encode, theirs["encode_s"]),
        ("decode", ours_decode, theirs["decode_s"]),
        ("decode (Baileys sync inner)", ours_decode, theirs["decode_sync_s"]),
    ]
    print(f"{'':28} {'botkit nodes/s':>15} {'MB/s':>7} {'Baileys nodes/s':>16} {'MB/s':>7} ratio")
    for name, ours, baileys in rows:
        print(
            f"{name:28} {len(nodes) / ours:15,.0f} {total / ours / 1e6:7.1f}"
            f" {len(nodes) / baileys:16,.0f} {total / baileys / 1e6:7.1f} {baileys / ours:5.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
