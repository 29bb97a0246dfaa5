"""The ClientPayload sent in the Noise handshake (PROTOCOL.md §3): registration or login."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from botkit.pb import companion_reg_pb2, wa6_pb2
from botkit.store.values import DeviceCredentials
from botkit.types.jid import JID

__all__ = [
    "DEFAULT_WEB_VERSION",
    "DeviceConfig",
    "client_payload",
    "login_payload",
    "registration_payload",
]

DEFAULT_WEB_VERSION = (2, 3000, 1045649367)
"""The WhatsApp Web version we claim; a too-old one gets ``<failure reason="405">``."""

_Platform = companion_reg_pb2.DeviceProps.PlatformType
_QR_PLATFORM_IDS: dict[int, str] = {
    _Platform.CHROME: "1",
    _Platform.EDGE: "2",
    _Platform.FIREFOX: "3",
    _Platform.IE: "4",
    _Platform.OPERA: "5",
    _Platform.SAFARI: "6",
    _Platform.DESKTOP: "7",
    _Platform.UWP: "8",
}
_WEB_CLIENT = "9"


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    """How this companion presents itself to the phone and the server.

    ``os_name`` is the name the phone lists the device under; ``platform`` a
    ``DeviceProps.PlatformType`` value (Chrome by default); ``web_version`` the WhatsApp Web
    version claimed; ``platform_display`` what the phone shows while pairing by code.
    """

    os_name: str = "botkit"
    platform: int = _Platform.CHROME
    web_version: tuple[int, int, int] = DEFAULT_WEB_VERSION
    platform_display: str = "Chrome (Linux)"

    @property
    def platform_id(self) -> str:
        """The companion platform id of QR codes and phone-code pairing (§6.2)."""
        return _QR_PLATFORM_IDS.get(self.platform, _WEB_CLIENT)

    @property
    def build_hash(self) -> bytes:
        """MD5 of the dotted version string, as the registration payload carries it."""
        dotted = ".".join(str(part) for part in self.web_version)
        return hashlib.md5(dotted.encode(), usedforsecurity=False).digest()

    def device_props(self) -> bytes:
        """Return the serialized ``DeviceProps`` of the registration payload."""
        return companion_reg_pb2.DeviceProps(
            os=self.os_name,
            version=companion_reg_pb2.DeviceProps.AppVersion(primary=0, secondary=1, tertiary=0),
            platform_type=self.platform,  # type: ignore[arg-type]
            require_full_sync=False,
        ).SerializeToString()


def _base(config: DeviceConfig, attempt: int) -> wa6_pb2.ClientPayload:
    primary, secondary, tertiary = config.web_version
    agent = wa6_pb2.ClientPayload.UserAgent
    return wa6_pb2.ClientPayload(
        user_agent=agent(
            platform=agent.WEB,
            release_channel=agent.RELEASE,
            app_version=agent.AppVersion(primary=primary, secondary=secondary, tertiary=tertiary),
            mcc="000",
            mnc="000",
            os_version="0.1",
            manufacturer="",
            device="Desktop",
            os_build_number="0.1",
            locale_language_iso_639_1="en",
            locale_country_iso_3166_1_alpha_2="US",
        ),
        web_info=wa6_pb2.ClientPayload.WebInfo(
            web_sub_platform=wa6_pb2.ClientPayload.WebInfo.WEB_BROWSER
        ),
        connect_type=wa6_pb2.ClientPayload.WIFI_UNKNOWN,
        connect_reason=wa6_pb2.ClientPayload.USER_ACTIVATED,
        connect_attempt_count=attempt,
    )


def registration_payload(
    credentials: DeviceCredentials, config: DeviceConfig, *, attempt: int = 0
) -> bytes:
    """Return the serialized registration payload of a device not paired yet (§3.3)."""
    payload = _base(config, attempt)
    payload.passive = False
    payload.pull = False
    spk = credentials.signed_pre_key
    payload.device_pairing_data.CopyFrom(
        wa6_pb2.ClientPayload.DevicePairingRegistrationData(
            e_regid=credentials.registration_id.to_bytes(4, "big"),
            e_keytype=b"\x05",
            e_ident=credentials.identity_key.public,
            e_skey_id=spk.key_id.to_bytes(4, "big")[1:],
            e_skey_val=spk.key_pair.public,
            e_skey_sig=spk.signature,
            build_hash=config.build_hash,
            device_props=config.device_props(),
        )
    )
    return payload.SerializeToString()


def login_payload(
    jid: JID, config: DeviceConfig, *, push_name: str = "", attempt: int = 0
) -> bytes:
    """Return the serialized login payload of the paired device ``jid`` (§3.4).

    Raises:
        ValueError: ``jid`` is not a phone-number device JID.
    """
    if not jid.user.isdigit() or not jid.device:
        raise ValueError(f"{jid} is not a companion's phone-number device JID")
    payload = _base(config, attempt)
    payload.username = int(jid.user)
    payload.device = jid.device
    payload.passive = True
    payload.pull = True
    payload.lid_db_migrated = True
    payload.lc = 1
    if push_name:
        payload.push_name = push_name
    return payload.SerializeToString()


def client_payload(
    credentials: DeviceCredentials, config: DeviceConfig, *, attempt: int = 0
) -> bytes:
    """Return the login payload of a paired device, else the registration payload."""
    if credentials.jid is None:
        return registration_payload(credentials, config, attempt=attempt)
    return login_payload(
        JID.parse(credentials.jid), config, push_name=credentials.push_name, attempt=attempt
    )
