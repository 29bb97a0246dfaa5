"""Session states and session records: what a 1:1 Signal session remembers, and its bytes.

A :class:`SessionState` is one double-ratchet session with a peer device: the peer's identity, the
root key, our current sending ratchet key and chain, up to :data:`MAX_RECEIVER_CHAINS` receiving
chains (newest first) and, for a session we started from a bundle, the :class:`PendingPreKey`
that makes us send pre-key messages until the peer's first reply.

A :class:`SessionRecord` holds the current state and up to :data:`MAX_PREVIOUS_STATES` previous
ones (newest first), so a late message for an older session still decrypts (PROTOCOL.md §8.3).
Everything is immutable; :mod:`botkit.core.signal.cipher` returns new records.
:meth:`SessionRecord.serialize` writes botkit's versioned format (:mod:`.records`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from botkit.core.signal.keys import KeyPair
from botkit.core.signal.ratchet import ChainKey, ReceiverChain
from botkit.core.signal.records import dump_versioned, load_versioned
from botkit.errors import DecodeError
from botkit.pb import signal_records_pb2 as pb

__all__ = [
    "MAX_PREVIOUS_STATES",
    "MAX_RECEIVER_CHAINS",
    "PendingPreKey",
    "SessionRecord",
    "SessionState",
]

MAX_PREVIOUS_STATES = 40
MAX_RECEIVER_CHAINS = 5


@dataclass(frozen=True, slots=True)
class PendingPreKey:
    """What a session we initiated repeats in each pre-key message until the peer replies:
    the pre-key ids of the bundle we used and our registration id."""

    prekey_id: int | None
    signed_prekey_id: int
    local_registration_id: int


@dataclass(frozen=True, slots=True)
class SessionState:
    """One double-ratchet session with a peer device; public keys are raw 32-byte keys.

    ``base_key`` identifies the session (the initiator's X3DH base key). ``previous_counter`` is
    the last counter used on our previous sending chain, as sent in each message.
    """

    remote_identity: bytes
    remote_registration_id: int
    base_key: bytes
    root_key: bytes = field(repr=False)
    sender_ratchet: KeyPair
    sender_chain: ChainKey
    previous_counter: int = 0
    receiver_chains: tuple[ReceiverChain, ...] = field(default=(), repr=False)
    pending: PendingPreKey | None = None

    def receiver_chain(self, ratchet_key: bytes) -> ReceiverChain | None:
        """Return the receiving chain for the peer's raw ``ratchet_key``, or None."""
        for chain in self.receiver_chains:
            if chain.ratchet_key == ratchet_key:
                return chain
        return None

    # The two updates of every message, spelled out: dataclasses.replace costs more than the
    # rest of the bookkeeping.
    def with_sender_chain(self, chain: ChainKey) -> SessionState:
        """Return this state with its sending chain key replaced by ``chain``."""
        return SessionState(
            self.remote_identity,
            self.remote_registration_id,
            self.base_key,
            self.root_key,
            self.sender_ratchet,
            chain,
            self.previous_counter,
            self.receiver_chains,
            self.pending,
        )

    def with_receiver_chains(self, chains: tuple[ReceiverChain, ...]) -> SessionState:
        """Return this state with ``chains`` as its receiving chains and no pending pre-key
        (a message arrived, so the peer has the session)."""
        return SessionState(
            self.remote_identity,
            self.remote_registration_id,
            self.base_key,
            self.root_key,
            self.sender_ratchet,
            self.sender_chain,
            self.previous_counter,
            chains,
            None,
        )


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """All sessions with one peer device: the current one and previous ones, newest first."""

    current: SessionState | None = None
    previous: tuple[SessionState, ...] = field(default=(), repr=False)

    @property
    def states(self) -> tuple[SessionState, ...]:
        """Every state, the current one first."""
        return self.previous if self.current is None else (self.current, *self.previous)

    def find_base_key(self, base_key: bytes) -> SessionState | None:
        """Return the state (current or previous) with this raw base key, or None."""
        for state in self.states:
            if state.base_key == base_key:
                return state
        return None

    def with_current(self, state: SessionState) -> SessionRecord:
        """Return a record where ``state`` is current and the old current state is archived.

        A previous state with the same base key as ``state`` (the one being promoted) leaves the
        previous list; the oldest beyond :data:`MAX_PREVIOUS_STATES` are dropped.
        """
        current = self.current
        if current is not None and current.base_key == state.base_key:
            return SessionRecord(state, self.previous)
        previous = tuple(s for s in self.previous if s.base_key != state.base_key)
        if current is not None:
            previous = (current, *previous)
        return SessionRecord(state, previous[:MAX_PREVIOUS_STATES])

    def serialize(self) -> bytes:
        """Return the record in botkit's versioned byte format."""
        # Each state is written straight into its place in the message: building sub-messages
        # and copying them in costs several times more (records are saved after every message).
        data = pb.SessionRecordData()
        if self.current is not None:
            _fill_state(data.current, self.current)
        for state in self.previous:
            _fill_state(data.previous.add(), state)
        return dump_versioned(data)

    @classmethod
    def deserialize(cls, data: bytes) -> SessionRecord:
        """Return the record stored in ``data`` (any format version written so far).

        Raises:
            DecodeError: ``data`` is not a valid session record.
        """
        proto = load_versioned(data, pb.SessionRecordData)
        current = _state_from_proto(proto.current) if proto.HasField("current") else None
        return cls(current, tuple(_state_from_proto(s) for s in proto.previous))


def _fill_state(data: pb.SessionStateData, state: SessionState) -> None:
    """Write ``state`` into the empty message ``data``."""
    data.remote_identity = state.remote_identity
    data.remote_registration_id = state.remote_registration_id
    data.base_key = state.base_key
    data.root_key = state.root_key
    data.sender_ratchet_private = state.sender_ratchet.private
    data.sender_ratchet_public = state.sender_ratchet.public
    data.sender_chain_key.key = state.sender_chain.key
    data.sender_chain_key.index = state.sender_chain.index
    data.previous_counter = state.previous_counter
    for chain in state.receiver_chains:
        chain_data = data.receiver_chains.add()
        chain_data.ratchet_key = chain.ratchet_key
        chain_data.chain_key.key = chain.chain_key.key
        chain_data.chain_key.index = chain.chain_key.index
        for counter, seed in chain.skipped:
            skipped = chain_data.skipped.add()
            skipped.counter = counter
            skipped.seed = seed
    if state.pending is not None:
        data.pending.signed_pre_key_id = state.pending.signed_prekey_id
        data.pending.local_registration_id = state.pending.local_registration_id
        if state.pending.prekey_id is not None:
            data.pending.pre_key_id = state.pending.prekey_id


def _bytes32(value: bytes, what: str) -> bytes:
    if len(value) != 32:
        raise DecodeError(f"stored session: {what} is {len(value)} bytes, not 32")
    return value


def _chain_from_proto(data: pb.ChainKeyData) -> ChainKey:
    return ChainKey(_bytes32(data.key, "chain key"), data.index)


def _receiver_chain_from_proto(data: pb.ReceiverChainData) -> ReceiverChain:
    skipped: tuple[tuple[int, bytes], ...] = ()
    if data.skipped:
        skipped = tuple([(k.counter, _bytes32(k.seed, "skipped key")) for k in data.skipped])
    return ReceiverChain(
        _bytes32(data.ratchet_key, "receiver ratchet key"),
        _chain_from_proto(data.chain_key),
        skipped,
    )


def _state_from_proto(data: pb.SessionStateData) -> SessionState:
    pending = None
    if data.HasField("pending"):
        stored = data.pending
        pending = PendingPreKey(
            stored.pre_key_id if stored.HasField("pre_key_id") else None,
            stored.signed_pre_key_id,
            stored.local_registration_id,
        )
    return SessionState(
        _bytes32(data.remote_identity, "remote identity"),
        data.remote_registration_id,
        _bytes32(data.base_key, "base key"),
        _bytes32(data.root_key, "root key"),
        KeyPair(
            _bytes32(data.sender_ratchet_private, "ratchet private key"),
            _bytes32(data.sender_ratchet_public, "ratchet public key"),
        ),
        _chain_from_proto(data.sender_chain_key),
        data.previous_counter,
        tuple([_receiver_chain_from_proto(chain) for chain in data.receiver_chains]),
        pending,
    )
