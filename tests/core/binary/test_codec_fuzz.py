"""Fuzzing: no byte string makes decode_node raise anything but DecodeError.

Inputs are mutations of valid encodings (bit flips, byte overwrites, truncations, splices,
insertions, deletions, tampered length fields, recompression) and random bytes, from a fixed
seed so that a failure reproduces.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable

from botkit.core.binary import Node, decode_node, encode_node
from botkit.errors import DecodeError
from botkit.types.jid import JID

SEED = 20260527
INPUTS = 100_000
LENGTH_TAGS = frozenset((0xF8, 0xF9, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF))


def corpus() -> list[bytes]:
    """Valid encodings covering every tag."""
    pkmsg = Node("enc", {"v": "2", "type": "pkmsg"}, b"\x33" * 90)
    msg = Node("enc", {}, b"x" * 300)
    fanout = Node(
        "message",
        {"id": "3EB0ABCDEF0123456789", "to": JID("120363012345678901", "g.us"), "type": "text"},
        [
            Node(
                "participants",
                {},
                [
                    Node("to", {"jid": JID("123456789012345", "lid", 7)}, [pkmsg]),
                    Node("to", {"jid": JID("1555", "s.whatsapp.net", ad=True)}, [msg]),
                ],
            ),
            Node("device-identity", {}, b"\x01" * 40),
        ],
    )
    jids = Node(
        "x",
        {
            "a": JID("", "s.whatsapp.net", pair=True),
            "b": JID("1", "s.whatsapp.net", 2, agent=9),
            "c": JID("100001", "msgr", 3),
            "d": JID("100001", "interop", 3, integrator=7),
            "e": JID("5", "hosted.lid", 1),
            "f": "read-self",
            "g": "1961",
            "h": "",
            "i": "Zoë ☃",
            "j": "-1.5",
        },
        [Node("item", {"n": str(i)}) for i in range(260)],
    )
    ping = {"id": "1", "type": "get", "xmlns": "w:p", "to": "s.whatsapp.net"}
    nodes = [
        Node("iq", ping, [Node("ping")]),
        fanout,
        jids,
        Node("receipt", {"id": "ABC", "t": "1700000000", "from": JID("1", "lid")}, []),
        Node("body", {}, b"\x00" * 70_000),
    ]
    encoded = [encode_node(node) for node in nodes]
    return encoded + [b"\x02" + zlib.compress(data[1:]) for data in encoded[:3]]


def mutate(rng: random.Random, seeds: list[bytes]) -> bytes:
    """Return one mutated input: one to three mutations of a valid encoding, or random bytes."""
    if rng.random() < 0.05:
        return rng.randbytes(rng.randrange(64))
    data = bytearray(rng.choice(seeds))
    for _ in range(rng.randrange(1, 4)):
        _MUTATIONS[rng.randrange(len(_MUTATIONS))](rng, data, seeds)
    if rng.random() < 0.02:
        return b"\x02" + zlib.compress(bytes(data[1:]))
    return bytes(data)


def _flip_bit(rng: random.Random, data: bytearray, _: list[bytes]) -> None:
    if data:
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)


def _overwrite(rng: random.Random, data: bytearray, _: list[bytes]) -> None:
    if data:
        data[rng.randrange(len(data))] = rng.choice(
            (0, 0xF8, 0xF9, 0xFA, 0xF7, 0xFF, rng.randrange(256))
        )


def _truncate(rng: random.Random, data: bytearray, _: list[bytes]) -> None:
    del data[rng.randrange(len(data) + 1) :]


def _splice(rng: random.Random, data: bytearray, seeds: list[bytes]) -> None:
    other = rng.choice(seeds)
    cut = rng.randrange(len(data) + 1)
    data[cut:] = other[rng.randrange(len(other) + 1) :]


def _insert(rng: random.Random, data: bytearray, _: list[bytes]) -> None:
    data[rng.randrange(len(data) + 1) : 0] = rng.randbytes(rng.randrange(1, 5))


def _delete(rng: random.Random, data: bytearray, _: list[bytes]) -> None:
    if data:
        start = rng.randrange(len(data))
        del data[start : start + rng.randrange(1, 5)]


def _tamper_length(rng: random.Random, data: bytearray, _: list[bytes]) -> None:
    positions = [i for i in range(len(data) - 1) if data[i] in LENGTH_TAGS]
    if positions:
        at = rng.choice(positions) + 1
        data[at] = rng.choice((0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)))


_MUTATIONS: list[Callable[[random.Random, bytearray, list[bytes]], None]] = [
    _flip_bit,
    _overwrite,
    _truncate,
    _splice,
    _insert,
    _delete,
    _tamper_length,
]


def test_only_decode_errors_escape() -> None:
    rng = random.Random(SEED)
    seeds = corpus()
    small = [s for s in seeds if len(s) < 10_000]
    outcomes = {"decoded": 0, "rejected": 0}
    for _ in range(INPUTS):
        data = mutate(rng, small if rng.random() < 0.98 else seeds)
        try:
            decode_node(data)
        except DecodeError:
            outcomes["rejected"] += 1
        except Exception as exc:  # the property under test: nothing else may escape
            raise AssertionError(f"{type(exc).__name__} for input {data.hex()}") from exc
        else:
            outcomes["decoded"] += 1
    # the mutations are gentle enough that some inputs still decode, and hostile enough that most
    # do not: both paths of the decoder were exercised
    assert outcomes["decoded"] > INPUTS // 100
    assert outcomes["rejected"] > INPUTS // 2
