"""The sandbox's registries as JSON: server keys, accounts and devices, groups, phones, mailboxes.

:func:`open_data_dir` locks a data directory and loads (or makes) the server keys, which must
exist before the sandbox listens; :func:`restore_sandbox` registers every registry and restores
them. Each ``*_registry`` function returns the :class:`~botkit.server.persistence.Hooks` of one
kind of state (see :mod:`botkit.server.persistence` for the contract): a new kind of state is a
function here and one line in :func:`restore_sandbox` (the groups' are in
:mod:`botkit.server.group_snapshots`). Bytes are stored as base64, Signal records in botkit's
versioned record format, stanzas in the binary node encoding. (Media blobs are files of their
own: :mod:`botkit.server.media`.)
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.signal import KeyPair, PreKey, SessionRecord, SignedPreKey
from botkit.server.group_snapshots import groups_registry, phone_groups_json, restore_phone_groups
from botkit.server.mailbox import PendingKey
from botkit.server.persistence import JSON, Hooks, Persistence, StateDir, from_b64, to_b64
from botkit.server.phone_inbox import InboxEntry
from botkit.server.phones import SimulatedPhone
from botkit.server.routing import Router
from botkit.server.wire import ServerKeys
from botkit.server.world import Account, Device, SignedKey, World
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = [
    "load_server_keys",
    "mailboxes_registry",
    "open_data_dir",
    "phones_registry",
    "restore_sandbox",
    "world_registry",
]

_KEYS = "server_keys"


def load_server_keys(directory: StateDir) -> ServerKeys:
    """Return the keys stored in ``directory``, generating and storing them the first time.

    Raises:
        ValueError: the stored keys are malformed.
    """
    stored = directory.read(_KEYS)
    if stored is None:
        keys = ServerKeys.generate(now=time.time())
        directory.write(
            _KEYS,
            {
                "root": to_b64(keys.root.private),
                "static": to_b64(keys.static.private),
                "cert_chain": to_b64(keys.cert_chain),
            },
        )
        return keys
    return ServerKeys(
        root=KeyPair.from_private(from_b64(stored["root"])),
        static=KeyPair.from_private(from_b64(stored["static"])),
        cert_chain=from_b64(stored["cert_chain"]),
    )


def open_data_dir(path: Path) -> tuple[ServerKeys, Persistence]:
    """Lock the data directory ``path``; return its server keys and its :class:`Persistence`.

    Raises:
        ValueError: the directory is in use, or its keys are malformed.
    """
    state = StateDir(path)
    try:
        keys = load_server_keys(state)
    except (ValueError, KeyError, TypeError) as exc:
        state.close()
        raise ValueError(f"cannot load the server keys in {path}: {exc}") from exc
    return keys, Persistence(state)


def restore_sandbox(persistence: Persistence, world: World, router: Router) -> None:
    """Register the sandbox's registries, in restore order, and restore them.

    Raises:
        ValueError: a state file cannot be restored (the directory is unlocked again).
    """
    persistence.register(world_registry(world))
    persistence.register(groups_registry(world.groups))
    persistence.register(phones_registry(world, router))
    persistence.register(mailboxes_registry(world, router))
    try:
        persistence.restore()
    except ValueError:
        persistence.directory.close()
        raise


# -- accounts and devices ----------------------------------------------------------------------


def _phone_json(phone: SimulatedPhone) -> JSON:
    return {
        "identity": to_b64(phone.identity.private),
        "registration_id": phone.registration_id,
        "signed_pre_key": to_b64(phone.signed_pre_key.serialize()),
        "pre_keys": [to_b64(key.serialize()) for key in phone.pre_keys.values()],
        "handed_out": sorted(phone.handed_out),
    }


def _phone_of(data: JSON) -> SimulatedPhone:
    keys = (PreKey.deserialize(from_b64(text)) for text in data["pre_keys"])
    return SimulatedPhone(
        identity=KeyPair.from_private(from_b64(data["identity"])),
        registration_id=int(data["registration_id"]),
        signed_pre_key=SignedPreKey.deserialize(from_b64(data["signed_pre_key"])),
        pre_keys={key.key_id: key for key in keys},
        rng=os.urandom,
        handed_out={int(key_id) for key_id in data["handed_out"]},
    )


def _device_json(device: Device) -> JSON:
    spk = device.signed_pre_key
    return {
        "jid": str(device.jid),
        "lid": str(device.lid),
        "noise_key": to_b64(device.noise_key),
        "identity": to_b64(device.identity),
        "registration_id": device.registration_id,
        "signed_pre_key": [spk.key_id, to_b64(spk.public), to_b64(spk.signature)],
        "key_index": device.key_index,
        "signed_identity": to_b64(device.signed_identity),
        "platform": device.platform,
        "pre_keys": {str(key_id): to_b64(key) for key_id, key in device.pre_keys.items()},
    }


def _device_of(data: JSON) -> Device:
    spk_id, spk_public, spk_signature = data["signed_pre_key"]
    return Device(
        jid=JID.parse(data["jid"]),
        lid=JID.parse(data["lid"]),
        noise_key=from_b64(data["noise_key"]),
        identity=from_b64(data["identity"]),
        registration_id=int(data["registration_id"]),
        signed_pre_key=SignedKey(int(spk_id), from_b64(spk_public), from_b64(spk_signature)),
        key_index=int(data["key_index"]),
        signed_identity=from_b64(data["signed_identity"]),
        platform=str(data["platform"]),
        pre_keys={int(key_id): from_b64(key) for key_id, key in data["pre_keys"].items()},
    )


def _account_json(account: Account) -> JSON:
    return {
        "phone": account.phone,
        "name": account.name,
        "lid_user": account.lid_user,
        "primary": _phone_json(account.primary),
        "devices": [_device_json(device) for device in account.devices.values()],
        "next_device_id": account.next_device_id,
        "next_key_index": account.next_key_index,
        "blocklist": sorted(str(jid) for jid in account.blocklist),
        "privacy": dict(account.privacy),
    }


def _account_of(data: JSON) -> Account:
    devices = [_device_of(device) for device in data["devices"]]
    return Account(
        phone=str(data["phone"]),
        name=str(data["name"]),
        lid_user=str(data["lid_user"]),
        primary=_phone_of(data["primary"]),
        devices={device.jid.device: device for device in devices},
        next_device_id=int(data["next_device_id"]),
        next_key_index=int(data["next_key_index"]),
        blocklist={JID.parse(jid) for jid in data["blocklist"]},
        privacy={str(k): str(v) for k, v in data["privacy"].items()},
    )


def world_registry(world: World) -> Hooks:
    """Return the hooks of the accounts: PN, LID, name, phone keys, companions, pre-keys."""

    def restore(data: JSON) -> None:
        for account in data["accounts"]:
            world.adopt(_account_of(account))

    return Hooks(
        "world",
        lambda: {"accounts": [_account_json(account) for account in world.accounts()]},
        restore,
    )


# -- simulated phones and mailboxes ------------------------------------------------------------


def phones_registry(world: World, router: Router) -> Hooks:
    """Return the hooks of the phones' messaging state: sessions, inbox, recent sent messages,
    and group sender keys (:func:`~botkit.server.group_snapshots.phone_groups_json`)."""

    def snapshot() -> JSON:
        phones = {}
        for account in world.accounts():
            chat = router.phone(account)
            phones[account.phone] = {
                "sessions": [
                    [phone, device, to_b64(record.serialize())]
                    for (phone, device), record in chat.sessions.items()
                ],
                "inbox": [entry.to_json() for entry in chat.inbox],
                "sent": [
                    [message_id, str(chat_jid), to_b64(message), timestamp]
                    for message_id, chat_jid, message, timestamp in chat.sent_messages()
                ],
                **phone_groups_json(chat),
            }
        return phones

    def restore(data: JSON) -> None:
        for phone, state in data.items():
            account = world.account(phone)
            if account is None:
                continue
            chat = router.phone(account)
            for peer, device, record in state["sessions"]:
                chat.sessions[(str(peer), int(device))] = SessionRecord.deserialize(
                    from_b64(record)
                )
            chat.inbox.extend(
                InboxEntry(e["id"], e["from"], e["chat"], e["text"], int(e["timestamp"]))
                for e in state["inbox"]
            )
            for message_id, chat_jid, message, timestamp in state.get("sent", []):
                chat.remember_sent(
                    message_id, JID.parse(chat_jid), from_b64(message), int(timestamp)
                )
            restore_phone_groups(chat, state)

    return Hooks("phones", snapshot, restore)


def _device_keys(world: World) -> list[JID]:
    return [
        JID(account.phone, DEFAULT_USER_SERVER, device_id)
        for account in world.accounts()
        for device_id in account.devices
    ]


def mailboxes_registry(world: World, router: Router) -> Hooks:
    """Return the hooks of the companions' mailboxes: every stanza not confirmed yet."""

    def snapshot() -> JSON:
        boxes = {}
        for device in _device_keys(world):
            held = router.mailbox(device).entries()
            if held:
                boxes[str(device)] = [
                    [key.tag, key.id, key.type, key.peer, to_b64(encode_node(node))]
                    for key, node in held
                ]
        return boxes

    def restore(data: JSON) -> None:
        for device, held in data.items():
            mailbox = router.mailbox(JID.parse(device))
            for tag, stanza_id, kind, peer, node in held:
                decoded: Node = decode_node(from_b64(node))
                mailbox.hold(PendingKey(tag, stanza_id, kind, peer), decoded)
                if tag == "notification":  # a data dir from before the counter was kept
                    world.groups.notice_seen(stanza_id)

    return Hooks("mailboxes", snapshot, restore)
