"""No key material in reprs, error messages or log records."""

from __future__ import annotations

import logging

import pytest

from botkit.core.signal.keys import KeyPair
from botkit.errors import StoreError
from botkit.store import (
    AppStateSyncKey,
    DeviceCredentials,
    InboundUnit,
    MessageKey,
    SenderKeyUpdate,
    SentMessage,
    SignedPreKey,
    Store,
)
from botkit.types.jid import SignalAddress

SECRETS = [bytes([0xA0 + i]) * 32 for i in range(6)]
ALICE = SignalAddress("15551234567", 1)


def _leaks(text: str) -> list[bytes]:
    """Return the secrets that appear in ``text`` as a bytes repr, hex or in a run of escapes."""
    return [
        s
        for s in SECRETS
        if repr(s)[2:18] in text or s.hex()[:16] in text or s[:8].decode("latin-1") in text
    ]


def _credentials() -> DeviceCredentials:
    return DeviceCredentials(
        noise_key=KeyPair.from_private(SECRETS[0]),
        identity_key=KeyPair.from_private(SECRETS[1]),
        signed_pre_key=SignedPreKey(1, KeyPair.from_private(SECRETS[2]), b"sig"),
        registration_id=7,
        adv_secret=SECRETS[3],
    )


def _unit() -> InboundUnit:
    return InboundUnit(
        MessageKey("c", "s", "m"),
        sessions={ALICE: SECRETS[4]},
        sender_keys=(SenderKeyUpdate("g@g.us", ALICE, SECRETS[5]),),
    )


def test_values_keep_secrets_out_of_their_reprs() -> None:
    values = [
        _credentials(),
        _unit(),
        SenderKeyUpdate("g@g.us", ALICE, SECRETS[5]),
        AppStateSyncKey(b"id", SECRETS[4]),
        SentMessage("c", "m", SECRETS[4]),
    ]
    for value in values:
        assert _leaks(repr(value)) == [], value.__class__.__name__


async def test_stores_keep_secrets_out_of_reprs_errors_and_logs(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    account = await store.open_account("main")
    await account.save_credentials(_credentials())
    await account.commit_inbound(_unit())
    await account.get_or_generate_pre_keys(3)
    await account.close()
    with pytest.raises(StoreError) as caught:
        await account.commit_inbound(_unit())
    with pytest.raises(StoreError) as refused:
        await account.save_credentials(_credentials())
    texts = [repr(store), repr(account), str(caught.value), str(refused.value), caplog.text]
    texts += [str(record.args) for record in caplog.records]
    assert [_leaks(text) for text in texts] == [[]] * len(texts)
