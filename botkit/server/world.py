"""The sandbox's state in memory: accounts, their LIDs, devices and published pre-keys.

An :class:`Account` is a phone number with a LID and a simulated primary phone (device 0). Each
linked companion is a :class:`Device` holding what the server must know about it: the Noise key
it logs in with, its Signal identity, registration id, signed pre-key and one-time pre-keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from botkit.core.signal import PreKeyBundle
from botkit.server.groups import GroupRegistry
from botkit.server.phones import SimulatedPhone
from botkit.types.jid import DEFAULT_USER_SERVER, HIDDEN_USER_SERVER, JID

__all__ = ["Account", "Device", "SignedKey", "World", "device_in_family"]

_LID_BASE = 100_000_000_000_000


@dataclass(frozen=True, slots=True)
class SignedKey:
    """A signed pre-key as published: 24-bit id, 32-byte public key, 64-byte signature."""

    key_id: int
    public: bytes
    signature: bytes


@dataclass(slots=True)
class Device:
    """A linked companion device (device id >= 1) of an account."""

    jid: JID
    lid: JID
    noise_key: bytes = field(repr=False)
    identity: bytes = field(repr=False)
    registration_id: int
    signed_pre_key: SignedKey = field(repr=False)
    key_index: int
    signed_identity: bytes = field(repr=False)
    """The ADVSignedDeviceIdentity the companion returned in ``pair-device-sign``."""
    platform: str = ""
    pre_keys: dict[int, bytes] = field(default_factory=dict, repr=False)

    def take_bundle(self) -> PreKeyBundle:
        """Return the device's bundle, consuming its lowest-numbered one-time pre-key if any."""
        pre_key_id = min(self.pre_keys, default=None)
        pre_key = None if pre_key_id is None else self.pre_keys.pop(pre_key_id)
        return PreKeyBundle(
            registration_id=self.registration_id,
            identity_key=self.identity,
            signed_prekey_id=self.signed_pre_key.key_id,
            signed_prekey=self.signed_pre_key.public,
            signed_prekey_signature=self.signed_pre_key.signature,
            prekey_id=pre_key_id,
            prekey=pre_key,
        )


@dataclass(slots=True)
class Account:
    """A phone-number account: its JIDs, push name, primary phone and companion devices."""

    phone: str
    name: str
    lid_user: str
    primary: SimulatedPhone = field(repr=False)
    devices: dict[int, Device] = field(default_factory=dict)
    next_device_id: int = 1
    next_key_index: int = 1
    blocklist: set[JID] = field(default_factory=set)
    privacy: dict[str, str] = field(default_factory=dict)

    @property
    def jid(self) -> JID:
        """The account's phone-number JID."""
        return JID(self.phone, DEFAULT_USER_SERVER)

    @property
    def lid(self) -> JID:
        """The account's LID JID."""
        return JID(self.lid_user, HIDDEN_USER_SERVER)

    def device_ids(self) -> list[int]:
        """Return the ids of every device, the primary (0) first."""
        return [0, *sorted(self.devices)]


class World:
    """Every account of one sandbox, found by phone number or by LID user, and every group."""

    def __init__(self) -> None:
        self._by_phone: dict[str, Account] = {}
        self._by_lid: dict[str, Account] = {}
        self.groups = GroupRegistry()

    def create_account(self, phone: str, name: str) -> Account:
        """Create the account of ``phone`` (digits only) with a fresh LID and primary phone.

        Raises:
            ValueError: ``phone`` is not 7-15 digits, starts with 0, or already has an account.
        """
        if not (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 15):
            raise ValueError("phone must be 7 to 15 digits")
        if phone.startswith("0"):
            raise ValueError("phone must not start with 0")
        if phone in self._by_phone:
            raise ValueError(f"an account for {phone} already exists")
        lid_user = str(_LID_BASE + int.from_bytes(os.urandom(6), "big") % _LID_BASE)
        while lid_user in self._by_lid:
            lid_user = str(_LID_BASE + int.from_bytes(os.urandom(6), "big") % _LID_BASE)
        account = Account(phone, name, lid_user, SimulatedPhone.generate(os.urandom))
        self._by_phone[phone] = account
        self._by_lid[lid_user] = account
        return account

    def adopt(self, account: Account) -> None:
        """Add an account restored from disk (its phone and LID must be new to this world).

        Raises:
            ValueError: the phone number or the LID already has an account.
        """
        if account.phone in self._by_phone or account.lid_user in self._by_lid:
            raise ValueError(f"an account for {account.phone} already exists")
        self._by_phone[account.phone] = account
        self._by_lid[account.lid_user] = account

    def accounts(self) -> list[Account]:
        """Return every account, in creation order."""
        return list(self._by_phone.values())

    def account(self, phone: str) -> Account | None:
        """Return the account of ``phone``, or None."""
        return self._by_phone.get(phone)

    def known_account(self, phone: str) -> Account:
        """Return the account of ``phone``.

        Raises:
            LookupError: no account for ``phone``.
        """
        account = self._by_phone.get(phone)
        if account is None:
            raise LookupError(f"no account for {phone}")
        return account

    def account_of(self, jid: JID) -> Account | None:
        """Return the account a user or device JID (PN or LID form) belongs to, or None."""
        if jid.server == DEFAULT_USER_SERVER:
            return self._by_phone.get(jid.user)
        if jid.server == HIDDEN_USER_SERVER:
            return self._by_lid.get(jid.user)
        return None

    def device(self, jid: JID) -> Device | None:
        """Return the companion device a device JID (PN or LID form) names, or None."""
        account = self.account_of(jid)
        return None if account is None else account.devices.get(jid.device)

    def take_bundle(self, jid: JID) -> PreKeyBundle | None:
        """Return the pre-key bundle of the device ``jid`` names (device 0: the phone's).

        It hands out the device's next one-time pre-key, if any. None: no such device.
        """
        account = self.account_of(jid)
        if account is None:
            return None
        if jid.device == 0:
            return account.primary.take_bundle()
        device = account.devices.get(jid.device)
        return None if device is None else device.take_bundle()

    def remove_device(self, jid: JID) -> Device | None:
        """Forget the companion device ``jid`` names; return it, or None if it was not linked."""
        account = self.account_of(jid)
        return None if account is None else account.devices.pop(jid.device, None)


def device_in_family(account: Account, device_id: int, lid: bool) -> JID:
    """Return device ``device_id`` of ``account`` as a LID (``lid``) or phone-number JID."""
    if lid:
        return JID(account.lid_user, HIDDEN_USER_SERVER, device_id)
    return JID(account.phone, DEFAULT_USER_SERVER, device_id)
