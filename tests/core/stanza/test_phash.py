"""The participant hash of §9.7."""

from __future__ import annotations

import base64
import hashlib

from botkit.core.stanza import participant_hash
from botkit.types.jid import JID


def test_empty_list_is_the_documented_token() -> None:
    # SHA-256 of nothing starts e3b0c44298fc: "2:47DEQpj8", the example PROTOCOL.md gives.
    assert participant_hash([]) == "2:47DEQpj8"


def test_hash_of_ad_strings_sorted_and_joined() -> None:
    devices = [JID("123456789012345", "lid", 3), JID("15551234567", "s.whatsapp.net")]
    joined = "123456789012345.0:3@lid15551234567.0:0@s.whatsapp.net"
    digest = hashlib.sha256(joined.encode()).digest()[:6]
    assert participant_hash(devices) == "2:" + base64.b64encode(digest).decode()


def test_order_does_not_matter() -> None:
    devices = [JID("1", "lid", d) for d in range(5)]
    assert participant_hash(devices) == participant_hash(reversed(devices))


def test_device_zero_written_explicitly_hashes_the_same() -> None:
    assert participant_hash([JID.parse("1:0@lid")]) == participant_hash([JID("1", "lid")])


def test_hash_is_eight_base64_characters() -> None:
    value = participant_hash([JID("1", "s.whatsapp.net", 7)])
    assert value.startswith("2:") and len(value) == 10 and "=" not in value
