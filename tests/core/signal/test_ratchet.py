"""The ratchet key schedule and receiving chains with skipped keys."""

from __future__ import annotations

import pytest

from botkit.core.signal.primitives import hkdf, hmac_sha256
from botkit.core.signal.ratchet import (
    MAX_FUTURE_MESSAGES,
    MAX_SKIPPED_KEYS,
    ChainKey,
    MessageKeys,
    ReceiverChain,
)
from botkit.errors import DuplicateMessage, TooFarAhead

START = ChainKey(bytes(range(32)), 0)


def _seed_at(index: int) -> bytes:
    chain_key = START
    for _ in range(index):
        chain_key = chain_key.next()
    return chain_key.message_seed()


def test_chain_key_steps_with_hmac_constants() -> None:
    assert START.message_seed() == hmac_sha256(START.key, b"\x01")
    assert START.next() == ChainKey(hmac_sha256(START.key, b"\x02"), 1)


def test_chain_key_step_is_seed_and_next_together() -> None:
    assert START.step() == (START.message_seed(), START.next())


def test_message_keys_repr_hides_the_keys() -> None:
    keys = MessageKeys.from_seed(b"s" * 32)
    assert all(key.hex() not in repr(keys) and repr(key) not in repr(keys) for key in keys)


def test_message_keys_split_80_bytes_of_hkdf() -> None:
    material = hkdf(b"s" * 32, salt=None, info=b"WhisperMessageKeys", length=80)
    keys = MessageKeys.from_seed(b"s" * 32)
    assert (keys.cipher_key, keys.mac_key, keys.iv) == (
        material[:32],
        material[32:64],
        material[64:],
    )


def test_in_order_keys_leave_nothing_skipped() -> None:
    chain = ReceiverChain(b"r" * 32, START)
    for counter in range(3):
        seed, chain = chain.message_seed(counter)
        assert seed == _seed_at(counter)
    assert chain.skipped == ()
    assert chain.chain_key.index == 3


def test_skipped_keys_are_kept_and_used_once() -> None:
    seed, chain = ReceiverChain(b"r" * 32, START).message_seed(3)
    assert seed == _seed_at(3)
    assert [c for c, _ in chain.skipped] == [0, 1, 2]
    seed, chain = chain.message_seed(1)
    assert seed == _seed_at(1)
    assert [c for c, _ in chain.skipped] == [0, 2]
    with pytest.raises(DuplicateMessage):
        chain.message_seed(1)
    with pytest.raises(DuplicateMessage):
        chain.message_seed(3)


def test_at_most_2000_ahead() -> None:
    chain = ReceiverChain(b"r" * 32, START)
    with pytest.raises(TooFarAhead):
        chain.message_seed(MAX_FUTURE_MESSAGES + 1)
    _seed, chain = chain.message_seed(MAX_FUTURE_MESSAGES)
    assert len(chain.skipped) == MAX_SKIPPED_KEYS


def test_only_the_newest_2000_skipped_keys_are_kept() -> None:
    _, chain = ReceiverChain(b"r" * 32, START).message_seed(1500)
    _, chain = chain.message_seed(3000)
    assert len(chain.skipped) == MAX_SKIPPED_KEYS
    # 1,500 skipped first (0-1499), 1,499 more (1501-2999): the oldest 999 are dropped.
    assert chain.skipped[0][0] == 999
    with pytest.raises(DuplicateMessage):
        chain.message_seed(998)
    seed, _ = chain.message_seed(2999)
    assert seed == _seed_at(2999)
