"""Sender-key records: the stored state of one (group, sender) pair, and its byte format.

A record holds up to :data:`MAX_STATES` sender-key states, newest first, each keyed by the
sender key id the peer chose. A state is a chain (iteration and chain key), the sender's public
signing key (plus the private key in our own sending state) and the seeds of message keys that
were skipped over, kept so late messages still decrypt (at most :data:`MAX_SKIPPED_KEYS`).

Everything here is immutable: the operations in :mod:`botkit.core.signal.group` return new
records. :meth:`SenderKeyRecord.serialize` writes botkit's versioned record format (see
:mod:`botkit.core.signal.records`): one format-version byte, then the ``SenderKeyRecordData``
protobuf (``botkit/pb/sender_key_records.proto``); :meth:`SenderKeyRecord.deserialize` reads
every version written so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from botkit.core.signal.records import dump_versioned, load_versioned
from botkit.errors import DecodeError
from botkit.pb import sender_key_records_pb2 as pb

__all__ = [
    "MAX_SKIPPED_KEYS",
    "MAX_STATES",
    "SenderKeyRecord",
    "SenderKeyState",
]

MAX_STATES = 5
MAX_SKIPPED_KEYS = 2000

_KEY_SIZE = 32


@dataclass(frozen=True, slots=True)
class SenderKeyState:
    """One sender-key chain.

    ``iteration`` is the iteration of ``chain_key``: the next message key it yields. ``skipped``
    holds ``(iteration, seed)`` pairs of message keys passed over, oldest first.
    ``signing_public`` is the raw 32-byte key; ``signing_private`` is set only in our own state.
    """

    key_id: int
    iteration: int
    chain_key: bytes = field(repr=False)
    signing_public: bytes
    signing_private: bytes | None = field(default=None, repr=False)
    skipped: tuple[tuple[int, bytes], ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class SenderKeyRecord:
    """The sender-key states of one (group, sender) pair, newest first; empty when new."""

    states: tuple[SenderKeyState, ...] = ()

    def state(self, key_id: int) -> SenderKeyState | None:
        """Return the state with sender key id ``key_id``, or None if there is none."""
        for state in self.states:
            if state.key_id == key_id:
                return state
        return None

    def with_newest(self, state: SenderKeyState) -> SenderKeyRecord:
        """Return a record with ``state`` first, replacing any state with its key id.

        The oldest states beyond :data:`MAX_STATES` are dropped.
        """
        others = tuple(s for s in self.states if s.key_id != state.key_id)
        return SenderKeyRecord((state, *others)[:MAX_STATES])

    def with_updated(self, state: SenderKeyState) -> SenderKeyRecord:
        """Return a record with the state of ``state``'s key id replaced, in its place."""
        return SenderKeyRecord(tuple(state if s.key_id == state.key_id else s for s in self.states))

    def serialize(self) -> bytes:
        """Return the record in botkit's versioned storage format."""
        data = pb.SenderKeyRecordData()
        for state in self.states:
            out = data.states.add(
                key_id=state.key_id,
                chain_iteration=state.iteration,
                chain_key=state.chain_key,
                signing_public=state.signing_public,
            )
            if state.signing_private is not None:
                out.signing_private = state.signing_private
            for iteration, seed in state.skipped:
                out.skipped.add(iteration=iteration, seed=seed)
        return dump_versioned(data)

    @classmethod
    def deserialize(cls, blob: bytes) -> SenderKeyRecord:
        """Return the record stored in ``blob`` (any format version written so far).

        Raises:
            DecodeError: ``blob`` is empty, of an unknown format version, or not a valid record.
        """
        data = load_versioned(blob, pb.SenderKeyRecordData)
        return cls(tuple(_state_from_pb(s) for s in data.states))


def _state_from_pb(data: pb.SenderKeyStateData) -> SenderKeyState:
    """Return the state in ``data``; raises DecodeError when a field is missing or malformed."""
    for name in ("key_id", "chain_iteration", "chain_key", "signing_public"):
        if not data.HasField(name):
            raise DecodeError(f"a sender-key state without {name}")
    keys = [data.chain_key, data.signing_public]
    if data.HasField("signing_private"):
        keys.append(data.signing_private)
    keys.extend(skipped.seed for skipped in data.skipped)
    if any(len(key) != _KEY_SIZE for key in keys):
        raise DecodeError("a sender-key state holds a key that is not 32 bytes")
    return SenderKeyState(
        key_id=data.key_id,
        iteration=data.chain_iteration,
        chain_key=data.chain_key,
        signing_public=data.signing_public,
        signing_private=data.signing_private if data.HasField("signing_private") else None,
        skipped=tuple((s.iteration, s.seed) for s in data.skipped),
    )
