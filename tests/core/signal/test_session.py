"""Session records: bounds, byte format, and records written by older format versions."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from botkit.core.signal import records
from botkit.core.signal.cipher import decrypt_message
from botkit.core.signal.keys import KeyPair
from botkit.core.signal.prekeys import PreKey, SignedPreKey
from botkit.core.signal.ratchet import ChainKey, ReceiverChain
from botkit.core.signal.session import (
    MAX_PREVIOUS_STATES,
    PendingPreKey,
    SessionRecord,
    SessionState,
)
from botkit.errors import DecodeError
from botkit.pb import signal_records_pb2 as pb

V1 = json.loads((Path(__file__).parent / "data" / "signal_records_v1.json").read_text())


def _state(rng: random.Random, *, pending: bool = False) -> SessionState:
    return SessionState(
        remote_identity=rng.randbytes(32),
        remote_registration_id=rng.randrange(1, 16380),
        base_key=rng.randbytes(32),
        root_key=rng.randbytes(32),
        sender_ratchet=KeyPair.generate(rng.randbytes(32)),
        sender_chain=ChainKey(rng.randbytes(32), 3),
        previous_counter=2,
        receiver_chains=(
            ReceiverChain(rng.randbytes(32), ChainKey(rng.randbytes(32), 9), ((4, b"s" * 32),)),
            ReceiverChain(rng.randbytes(32), ChainKey(rng.randbytes(32), 0)),
        ),
        pending=PendingPreKey(None, 1, 77) if pending else None,
    )


def test_a_record_round_trips_through_bytes() -> None:
    rng = random.Random(1)
    record = SessionRecord(_state(rng, pending=True), (_state(rng), _state(rng)))
    blob = record.serialize()
    assert blob[0] == records.FORMAT_VERSION
    assert SessionRecord.deserialize(blob) == record


def test_an_empty_record_round_trips() -> None:
    assert SessionRecord.deserialize(SessionRecord().serialize()) == SessionRecord()


def test_with_current_archives_and_promotes() -> None:
    rng = random.Random(2)
    first, second = _state(rng), _state(rng)
    record = SessionRecord().with_current(first).with_current(second)
    assert (record.current, record.previous) == (second, (first,))
    promoted = record.with_current(first)
    assert (promoted.current, promoted.previous) == (first, (second,))
    assert record.find_base_key(first.base_key) == first


def test_previous_states_are_capped() -> None:
    rng = random.Random(3)
    record = SessionRecord()
    states = [_state(rng) for _ in range(MAX_PREVIOUS_STATES + 3)]
    for state in states:
        record = record.with_current(state)
    assert len(record.previous) == MAX_PREVIOUS_STATES
    assert record.previous[0] == states[-2]


def test_private_keys_stay_out_of_repr() -> None:
    state = _state(random.Random(4))
    text = repr(SessionRecord(state))
    assert state.root_key.hex() not in text
    assert repr(state.root_key) not in text
    assert repr(state.sender_ratchet.private) not in text


@pytest.mark.parametrize("blob", [b"", b"\x00", b"\x02", b"\xff\x0a", b"\x01\x0a\x05\x0a"])
def test_bad_blobs_raise_decode_error(blob: bytes) -> None:
    with pytest.raises(DecodeError):
        SessionRecord.deserialize(blob)


def test_a_stored_key_of_the_wrong_size_is_refused() -> None:
    data = pb.SessionRecordData()
    data.current.remote_identity = b"short"
    with pytest.raises(DecodeError):
        SessionRecord.deserialize(records.dump_versioned(data))


def test_a_version_1_session_record_still_loads_and_decrypts() -> None:
    blob = bytes.fromhex(V1["session_record"])
    record = SessionRecord.deserialize(blob)
    assert record.serialize() == blob
    assert record.current is not None and record.current.pending is not None
    plaintext, _ = decrypt_message(
        record,
        bytes.fromhex(V1["late_message"]),
        address="alice",
        our_identity=KeyPair.from_private(bytes.fromhex(V1["receiver_identity_private"])),
        trusted_identity=None,
        rng=random.Random(5).randbytes,
    )
    assert plaintext == V1["late_plaintext"].encode()


def test_version_1_prekey_records_still_load() -> None:
    assert PreKey.deserialize(bytes.fromhex(V1["prekey"])).key_id == V1["prekey_id"]
    signed = SignedPreKey.deserialize(bytes.fromhex(V1["signed_prekey"]))
    assert signed.key_id == V1["signed_prekey_id"]


def test_older_versions_are_upgraded_step_by_step(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend version 2 renumbered the pre-key id: version-1 blobs must come through the upgrade.
    def upgrade_1_to_2(payload: bytes) -> bytes:
        old = pb.PreKeyRecordData.FromString(payload)
        return pb.PreKeyRecordData(
            id=old.id + 1, private_key=old.private_key, public_key=old.public_key
        ).SerializeToString()

    monkeypatch.setattr(records, "FORMAT_VERSION", 2)
    monkeypatch.setitem(records.UPGRADES, 1, upgrade_1_to_2)
    assert PreKey.deserialize(bytes.fromhex(V1["prekey"])).key_id == V1["prekey_id"] + 1
