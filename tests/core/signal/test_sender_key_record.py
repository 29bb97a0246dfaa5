"""Sender-key record storage: round trips, the version-1 fixture, and rejected blobs."""

from __future__ import annotations

import pytest

from botkit.core.signal.group import group_decrypt, group_encrypt
from botkit.core.signal.sender_key_record import (
    MAX_STATES,
    SenderKeyRecord,
    SenderKeyState,
)
from botkit.errors import DecodeError
from botkit.pb import sender_key_records_pb2 as pb

# Written by version 1 of the record format (botkit.core.signal.records): a sender's own record
# after three messages, and a member's record that decrypted the second message first, so it
# holds the skipped key of the first. Keep these: every later format must still load them.
OWN_V1 = bytes.fromhex(
    "010a6e08fde6ce950610031a2077f7a759efa9bb947701006b52699d550f2cafaee5dc48a0848cd211a0ede30f"
    "2220821f6706e0d66f14869f8a669e4a06ab429cb45d1adda5ae8791fc0270d9df6a2a20b098ae33ae46fcc436"
    "04ebb53ba4ce3757e0dc730d92734e930b05fe97dd4954"
)
MEMBER_V1 = bytes.fromhex(
    "010a7208fde6ce950610021a20d2e671d33ddc9c82eced489df65966a34b43b7f9efab87ee24ccef0463524668"
    "2220821f6706e0d66f14869f8a669e4a06ab429cb45d1adda5ae8791fc0270d9df6a3224080012203ac27757e2"
    "fd1146bb34b0ab3dacdce442e4879059c549c35d1fdd75071e456a"
)
FIRST_MESSAGE = bytes.fromhex(
    "3308fde6ce950610001a206a4ed7de3f5955915b767055997e70a9e67f133c8c2e4bf5408be55b36f02abebe9f"
    "7f294fbf7643b6bbe3fca41172eeacbf0db7addf487753b8e20daeca5db3505e957c05661e1eea930102d33667"
    "c868f82a8035470bc9e3a113e3bcbe690b"
)
THIRD_MESSAGE = bytes.fromhex(
    "3308fde6ce950610021a10a14ec5e01d9edae3f06f2947aa58a22f22097d6c89e79373a508ee6b123c0d568b28"
    "d39a2958d06100764ecfc96d19eeb45873b658340c0fa1f490f17b3fecb3d50224994a9d5f1bdabc2dbed03f91"
    "05"
)
KEY_ID = 1655944061


def _state(key_id: int, **changes: object) -> SenderKeyState:
    fields: dict[str, object] = {
        "key_id": key_id,
        "iteration": 7,
        "chain_key": b"c" * 32,
        "signing_public": b"p" * 32,
    }
    fields.update(changes)
    return SenderKeyState(**fields)  # type: ignore[arg-type]


def test_version_1_member_record_loads_and_decrypts_with_its_skipped_key() -> None:
    record = SenderKeyRecord.deserialize(MEMBER_V1)
    assert [(s.key_id, s.iteration, len(s.skipped)) for s in record.states] == [(KEY_ID, 2, 1)]
    assert group_decrypt(record, FIRST_MESSAGE)[0] == b"first, delivered late"
    assert group_decrypt(record, THIRD_MESSAGE)[0] == b"third"


def test_version_1_own_record_loads_and_keeps_sending() -> None:
    own = SenderKeyRecord.deserialize(OWN_V1)
    assert own.states[0].signing_private is not None
    member = SenderKeyRecord.deserialize(MEMBER_V1)
    _, member = group_decrypt(member, THIRD_MESSAGE)
    message, _ = group_encrypt(own, b"fourth", rng=lambda n: b"\x07" * n)
    assert group_decrypt(member, message)[0] == b"fourth"


def test_serialize_round_trips_every_field() -> None:
    record = SenderKeyRecord(
        (
            _state(1, signing_private=b"s" * 32),
            _state(2, skipped=((3, b"a" * 32), (5, b"b" * 32))),
            _state(0, iteration=0),
        )
    )
    assert SenderKeyRecord.deserialize(record.serialize()) == record


def test_empty_record_round_trips() -> None:
    assert SenderKeyRecord.deserialize(SenderKeyRecord().serialize()) == SenderKeyRecord()


def test_with_newest_puts_state_first_replaces_its_id_and_keeps_five() -> None:
    record = SenderKeyRecord(tuple(_state(i) for i in range(MAX_STATES)))
    replaced = record.with_newest(_state(3, iteration=99))
    assert [s.key_id for s in replaced.states] == [3, 0, 1, 2, 4]
    grown = record.with_newest(_state(9))
    assert [s.key_id for s in grown.states] == [9, 0, 1, 2, 3]


def _blob(state: pb.SenderKeyStateData) -> bytes:
    data = pb.SenderKeyRecordData()
    data.states.append(state)
    return b"\x01" + data.SerializeToString()


def _state_pb(chain_key: bytes = b"c" * 32, seeds: tuple[bytes, ...] = ()) -> pb.SenderKeyStateData:
    skipped = [pb.SkippedSenderKey(iteration=i, seed=seed) for i, seed in enumerate(seeds)]
    return pb.SenderKeyStateData(
        key_id=1, chain_iteration=9, chain_key=chain_key, signing_public=b"p" * 32, skipped=skipped
    )


def test_a_well_formed_blob_built_by_hand_loads() -> None:
    record = SenderKeyRecord.deserialize(_blob(_state_pb(seeds=(b"s" * 32,))))
    assert record.states[0].skipped == ((0, b"s" * 32),)


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff" + SenderKeyRecord().serialize()[1:], id="unknown-version"),
        pytest.param(b"\x01\x0a\xff", id="bad-protobuf"),
        pytest.param(_blob(pb.SenderKeyStateData(key_id=1)), id="missing-fields"),
        pytest.param(_blob(_state_pb(chain_key=b"c")), id="short-key"),
        pytest.param(_blob(_state_pb(seeds=(b"s" * 32, b"s"))), id="short-seed"),
    ],
)
def test_deserialize_rejects_a_bad_blob(blob: bytes) -> None:
    with pytest.raises(DecodeError):
        SenderKeyRecord.deserialize(blob)


def test_repr_shows_no_key_material() -> None:
    state = _state(1, chain_key=b"K" * 32, signing_private=b"S" * 32, skipped=((1, b"M" * 32),))
    text = repr(SenderKeyRecord((state,)))
    assert "KKKK" not in text and "SSSS" not in text and "MMMM" not in text
