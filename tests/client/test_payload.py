"""The ClientPayload: registration data (§3.3) and the login fields (§3.4)."""

from __future__ import annotations

import hashlib

import pytest

from botkit.client.payload import DeviceConfig, login_payload, registration_payload
from botkit.core.signal import verify
from botkit.pb import companion_reg_pb2, wa6_pb2
from botkit.types.jid import JID

from .helpers import credentials as fresh


def test_registration_payload_carries_the_device_keys() -> None:
    credentials = fresh(registration_id=0x01020304)
    payload = wa6_pb2.ClientPayload.FromString(registration_payload(credentials, DeviceConfig()))
    data = payload.device_pairing_data
    assert not payload.HasField("username") and payload.passive is False
    assert data.e_regid == b"\x01\x02\x03\x04" and data.e_keytype == b"\x05"
    assert data.e_ident == credentials.identity_key.public
    assert data.e_skey_id == b"\x00\x00\x01"
    assert data.e_skey_val == credentials.signed_pre_key.key_pair.public
    assert verify(data.e_ident, b"\x05" + data.e_skey_val, data.e_skey_sig)
    assert data.build_hash == hashlib.md5(b"2.3000.1045649367").digest()
    props = companion_reg_pb2.DeviceProps.FromString(data.device_props)
    assert props.os == "botkit" and props.platform_type == props.CHROME


def test_login_payload_names_the_device() -> None:
    payload = wa6_pb2.ClientPayload.FromString(
        login_payload(JID("15550001111", "s.whatsapp.net", device=7), DeviceConfig())
    )
    assert (payload.username, payload.device) == (15550001111, 7)
    assert payload.passive and payload.pull and payload.lid_db_migrated
    assert not payload.HasField("device_pairing_data")
    assert payload.user_agent.platform == payload.user_agent.WEB
    assert payload.user_agent.app_version.tertiary == 1045649367


def test_login_needs_a_companion_device_jid() -> None:
    with pytest.raises(ValueError):
        login_payload(JID("15550001111", "s.whatsapp.net"), DeviceConfig())


def test_platform_ids_for_qr_codes() -> None:
    platform = companion_reg_pb2.DeviceProps
    assert DeviceConfig().platform_id == "1"
    assert DeviceConfig(platform=platform.SAFARI).platform_id == "6"
    assert DeviceConfig(platform=platform.ANDROID_PHONE).platform_id == "9"
