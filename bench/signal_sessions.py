"""Benchmark botkit's 1:1 Signal sessions against libsignal-node (libsignal@6.0.0) in one run.

Usage: python bench/signal_sessions.py [--messages N] [--alternating A] [--sessions S]
                                       [--payload BYTES] [--serialized] [--repeat R]

Workloads, the same on both sides (bench/signal_peer.mjs runs libsignal's):
  messages     N messages one way on an established session, each encrypted then decrypted
  alternating  A messages taking turns, so every message steps the DH ratchet
  sessions     S new sessions: process a bundle with a one-time pre-key (botkit also verifies
               its signature; libsignal-node skips that), encrypt the first message (pkmsg),
               the responder decrypts it
Records stay in memory as objects on both sides; with --serialized both stores keep them as
bytes/strings and every operation loads and saves (botkit's versioned bytes, libsignal's JSON).
Each side runs R times (default 3), the two sides alternating so both meet the same load on a
shared machine, and each workload's best time per side counts. Each libsignal run is a fresh
Node process, so its JIT starts cold every time (a longer --messages lets it warm up).
Prints operations per second for both and the ratio botkit/libsignal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from node_peer import run_node_peer

from botkit.core.signal import (
    CiphertextMessage,
    KeyPair,
    PreKey,
    PreKeyBundle,
    SessionRecord,
    SignedPreKey,
    decrypt_message,
    decrypt_prekey_message,
    encrypt,
    generate_identity_key_pair,
    generate_prekeys,
    generate_signed_prekey,
    process_bundle,
)

rng = os.urandom


@dataclass
class Device:
    """One side: identity, pre-keys and its records, as objects or as stored bytes."""

    serialized: bool
    prekey_count: int = 0
    identity: KeyPair = field(init=False)
    signed_prekey: SignedPreKey = field(init=False)
    prekeys: dict[int, PreKey] = field(init=False)
    records: dict[str, SessionRecord | bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.identity = generate_identity_key_pair(rng)
        self.signed_prekey = generate_signed_prekey(self.identity, 1, rng)
        self.prekeys = {k.key_id: k for k in generate_prekeys(1, self.prekey_count, rng)}

    def load(self, peer: str) -> SessionRecord:
        stored = self.records.get(peer)
        if stored is None:
            return SessionRecord()
        return SessionRecord.deserialize(stored) if isinstance(stored, bytes) else stored

    def save(self, peer: str, record: SessionRecord) -> None:
        self.records[peer] = record.serialize() if self.serialized else record

    def bundle(self, prekey_id: int) -> PreKeyBundle:
        return PreKeyBundle.of(1, self.identity, self.signed_prekey, self.prekeys[prekey_id])

    def process(self, peer: str, bundle: PreKeyBundle) -> None:
        record = process_bundle(
            self.load(peer),
            bundle,
            address=peer,
            our_identity=self.identity,
            our_registration_id=2,
            trusted_identity=None,
            rng=rng,
        )
        self.save(peer, record)

    def encrypt(self, peer: str, plaintext: bytes) -> CiphertextMessage:
        message, record = encrypt(self.load(peer), plaintext, our_identity=self.identity)
        self.save(peer, record)
        return message

    def decrypt(self, peer: str, message: CiphertextMessage) -> bytes:
        if message.type == "pkmsg":
            plaintext, record, used = decrypt_prekey_message(
                self.load(peer),
                message.data,
                address=peer,
                our_identity=self.identity,
                signed_prekeys={1: self.signed_prekey},
                one_time_prekeys=self.prekeys,
                trusted_identity=None,
                rng=rng,
            )
            if used is not None:
                del self.prekeys[used]
        else:
            plaintext, record = decrypt_message(
                self.load(peer),
                message.data,
                address=peer,
                our_identity=self.identity,
                trusted_identity=None,
                rng=rng,
            )
        self.save(peer, record)
        return plaintext


def timed(work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run_botkit(opts: argparse.Namespace) -> dict[str, float]:
    """Seconds per workload for botkit."""
    payload = b"a" * opts.payload
    alice = Device(opts.serialized)
    bob = Device(opts.serialized, prekey_count=opts.sessions + 1)
    alice.process("bob", bob.bundle(1))
    bob.decrypt("alice", alice.encrypt("bob", payload))
    alice.decrypt("bob", bob.encrypt("alice", payload))

    def messages() -> None:
        for _ in range(opts.messages):
            bob.decrypt("alice", alice.encrypt("bob", payload))

    def alternating() -> None:
        for i in range(opts.alternating):
            if i % 2 == 0:
                bob.decrypt("alice", alice.encrypt("bob", payload))
            else:
                alice.decrypt("bob", bob.encrypt("alice", payload))

    initiators = [Device(opts.serialized) for _ in range(opts.sessions)]

    def sessions() -> None:
        for i, initiator in enumerate(initiators):
            initiator.process("bob", bob.bundle(i + 2))
            bob.decrypt(f"alice{i}", initiator.encrypt("bob", payload))

    return {
        "messages": timed(messages),
        "alternating": timed(alternating),
        "sessions": timed(sessions),
    }


def run_libsignal(opts: argparse.Namespace) -> dict[str, float]:
    """Seconds per workload for libsignal-node, from bench/signal_peer.mjs."""
    config = {
        "messages": opts.messages,
        "alternating": opts.alternating,
        "sessions": opts.sessions,
        "payload": opts.payload,
        "serialized": opts.serialized,
    }
    figures = run_node_peer("signal_peer.mjs", config)
    return {key: float(value) for key, value in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--alternating", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--payload", type=int, default=120, help="plaintext bytes per message")
    parser.add_argument("--serialized", action="store_true", help="store records as bytes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side (best counts)")
    opts = parser.parse_args(argv)
    ours: dict[str, float] = {}
    theirs: dict[str, float] = {}
    for _ in range(opts.repeat):
        for best, run in ((ours, run_botkit), (theirs, run_libsignal)):
            for key, seconds in run(opts).items():
                best[key] = min(seconds, best.get(key, seconds))
    counts = {"messages": opts.messages, "alternating": opts.alternating, "sessions": opts.sessions}
    labels = {
        "messages": "established session, encrypt+decrypt  msg/s",
        "alternating": "alternating (DH ratchet each message) msg/s",
        "sessions": "new sessions (bundle->pkmsg->decrypt) /s",
    }
    records = "bytes" if opts.serialized else "in-memory objects"
    print(
        f"1:1 Signal, {opts.payload}-byte plaintexts, records as {records}, "
        f"best of {opts.repeat} runs per side"
    )
    print(f"{'workload':46} {'botkit':>10} {'libsignal':>10} {'ratio':>7}")
    for key, label in labels.items():
        botkit_rate, node_rate = counts[key] / ours[key], counts[key] / theirs[key]
        print(f"{label:46} {botkit_rate:10.0f} {node_rate:10.0f} {botkit_rate / node_rate:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
