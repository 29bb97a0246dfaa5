"""The simulated phone as a messaging device (PROTOCOL.md §15.10): it decrypts, answers, sends.

A :class:`PhoneChat` is device 0 of one account at the message level: it keeps Signal session
records in memory (keyed by the peer's account and device, whichever JID family a message used),
decrypts what is delivered to it part by part with :func:`~botkit.core.e2e.decrypt_parts` (a
failing part loses nothing another part gave) and answers with the receipt, keeps an inbox of
the texts it read, composes messages with :func:`~botkit.core.e2e.encrypt_direct` to every
device of the recipient and its own companions, and answers retry receipts from a cache of what
it sent.

In groups it keeps the sender key of every (group, sender device) it was given, and one own
sender key per group: :meth:`PhoneChat.compose_group` encrypts with it once
(:func:`~botkit.core.e2e.encrypt_group`) and hands its distribution message only to the member
devices that do not have it yet. :meth:`PhoneChat.forget_sender_key` drops the own key when a
member leaves, so the next message starts a new one. It never touches a connection: it
returns the stanzas to route, and the router sends them as coming from device 0.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from botkit.core.binary import Node
from botkit.core.e2e import (
    LocalDevice,
    Outcome,
    ReceivedMessage,
    decrypt_parts,
    encrypt_direct,
    encrypt_group,
    encrypt_resend,
    failure_answers,
)
from botkit.core.signal import PreKeyBundle, SenderKeyRecord, SessionRecord, create_sender_key
from botkit.core.stanza import message_id, parse_receipt
from botkit.errors import BotkitError, DecodeError
from botkit.pb import adv_pb2, e2e_pb2
from botkit.server.phone_inbox import InboxEntry, message_text
from botkit.server.world import Account, World, device_in_family
from botkit.types.jid import JID

__all__ = ["PhoneChat"]

_RECENT = 256

PeerKey = tuple[str, int]
"""A peer device as (account phone number, device id)."""


@dataclass(frozen=True, slots=True)
class _Sent:
    chat: JID
    message: e2e_pb2.Message
    timestamp: int


def _own_device_identity(account: Account) -> bytes:
    """Return the phone's ``ADVSignedDeviceIdentity`` (key index 0, signed by itself)."""
    phone = account.primary
    details = adv_pb2.ADVDeviceIdentity(
        raw_id=phone.registration_id, timestamp=int(time.time()), key_index=0
    ).SerializeToString()
    return adv_pb2.ADVSignedDeviceIdentity(
        details=details,
        account_signature_key=phone.identity.public,
        account_signature=phone.sign_companion(details, phone.identity.public),
    ).SerializeToString()


class PhoneChat:
    """Device 0 of ``account`` as a Signal party (see the module docstring)."""

    def __init__(self, account: Account, world: World) -> None:
        self.account = account
        self._world = world
        phone = account.primary
        self.local = LocalDevice(
            jid=account.jid,
            lid=account.lid,
            identity=phone.identity,
            registration_id=phone.registration_id,
            device_identity=_own_device_identity(account),
        )
        self.inbox: list[InboxEntry] = []
        self.inbox_listeners: list[Callable[[], None]] = []
        """Called after each entry added to :attr:`inbox` (how a waiter learns of it)."""
        self.receipts: list[Node] = []
        """Every receipt routed to the phone, as received."""
        self._sessions: dict[PeerKey, SessionRecord] = {}
        self._sender_keys: dict[tuple[JID, PeerKey], SenderKeyRecord] = {}
        """Sender keys of others, by (group, sender device)."""
        self._own_keys: dict[JID, SenderKeyRecord] = {}
        self._key_holders: dict[JID, set[PeerKey]] = {}
        """The member devices our own sender key of each group was distributed to."""
        self._sent: OrderedDict[str, _Sent] = OrderedDict()
        self._retries: dict[str, int] = {}
        self._read_ids: set[tuple[str, str]] = set()
        """(sender device, message id) of every text put in the inbox."""

    @property
    def sessions(self) -> dict[PeerKey, SessionRecord]:
        """The Signal sessions with peer devices (mutable: persistence restores into it)."""
        return self._sessions

    @property
    def sender_keys(self) -> dict[tuple[JID, PeerKey], SenderKeyRecord]:
        """Others' sender keys by (group, sender device) (mutable: persistence restores it)."""
        return self._sender_keys

    @property
    def own_sender_keys(self) -> dict[JID, SenderKeyRecord]:
        """Our own sender key of each group (mutable: persistence restores it)."""
        return self._own_keys

    @property
    def key_holders(self) -> dict[JID, set[PeerKey]]:
        """The devices our own key of each group went to (mutable: persistence restores it)."""
        return self._key_holders

    def sent_messages(self) -> list[tuple[str, JID, bytes, int]]:
        """Return the recent messages kept for retry receipts: (id, chat, Message, time)."""
        return [
            (i, s.chat, s.message.SerializeToString(), s.timestamp) for i, s in self._sent.items()
        ]

    def remember_sent(self, message_id: str, chat: JID, message: bytes, timestamp: int) -> None:
        """Keep a sent message for retry receipts (as :meth:`sent_messages` lists it).

        Raises:
            DecodeError: ``message`` is not a serialized ``Message``.
        """
        parsed = e2e_pb2.Message()
        try:
            parsed.ParseFromString(message)
        except Exception as exc:  # protobuf raises its own DecodeError
            raise DecodeError("a kept message is not a Message") from exc
        self._sent[message_id] = _Sent(chat, parsed, timestamp)

    def _peer(self, jid: JID) -> PeerKey:
        """Return the peer key of a device JID.

        Raises:
            LookupError: no account owns ``jid``.
        """
        return self._world_account(jid).phone, jid.device

    def forget_device(self, phone: str, device_id: int) -> None:
        """Drop the session with an unlinked device (a new one may take its id)."""
        self._sessions.pop((phone, device_id), None)
        for holders in self._key_holders.values():
            holders.discard((phone, device_id))

    def forget_sender_key(self, group: JID) -> None:
        """Drop our own sender key of ``group`` (a member left): the next message rotates it."""
        self._own_keys.pop(group, None)
        self._key_holders.pop(group, None)

    def receive(self, node: Node) -> list[Node]:
        """Handle a stanza delivered to the phone; return the stanzas it answers with.

        A ``<message>`` is decrypted (answered by its receipt, or a retry receipt and an ack);
        a retry ``<receipt>`` is answered by the message again; other receipts are recorded.
        """
        if node.tag == "message":
            return self._read(node)
        if node.tag == "receipt":
            self.receipts.append(node)
            if node.attrs.get("type") == "retry":
                return self._resend(node)
        return []

    def _read(self, node: Node) -> list[Node]:
        """Decrypt a message part by part (as a client does: a failing part loses nothing)."""
        phone = self.account.primary
        sender_attr = node.attrs.get("participant") or node.attrs.get("from")
        try:
            sender = sender_attr if isinstance(sender_attr, JID) else JID.parse(str(sender_attr))
            peer = self._peer(sender)
            chat = node.attrs.get("from")
            group_key = (chat, peer) if isinstance(chat, JID) and chat.is_group else None
            got = decrypt_parts(
                node,
                local=self.local,
                session=self._sessions.get(peer),
                sender_key=None if group_key is None else self._sender_keys.get(group_key),
                signed_prekeys={phone.signed_pre_key.key_id: phone.signed_pre_key},
                one_time_prekeys=phone.pre_keys,
                trusted_identity=None,
                rng=phone.rng,
            )
            if got.outcome is not Outcome.FAILED:
                self._keep(peer, group_key, got.received)
            if got.outcome in (Outcome.DECRYPTED, Outcome.CONTENT_ONLY):
                self._to_inbox(sender, got.received)
        except LookupError:
            return []
        except BotkitError as exc:  # refused as a whole
            return self._ask_again(node, exc)
        failure = got.failure
        return [got.received.receipt] if failure is None else self._ask_again(node, failure)

    def _ask_again(self, node: Node, error: BotkitError) -> list[Node]:
        message = str(node.attrs.get("id", ""))
        count = self._retries[message] = self._retries.get(message, 0) + 1
        bundle = self.account.primary.take_bundle()
        return list(
            failure_answers(node, error, local=self.local, retry_count=count, retry_keys=bundle)
        )

    def _keep(
        self, peer: PeerKey, group_key: tuple[JID, PeerKey] | None, got: ReceivedMessage
    ) -> None:
        if got.session is not None:
            self._sessions[peer] = got.session
        if got.sender_key is not None and group_key is not None:
            self._sender_keys[group_key] = got.sender_key
        if got.used_prekey_id is not None:
            self.account.primary.pre_keys.pop(got.used_prekey_id, None)

    def _to_inbox(self, sender: JID, got: ReceivedMessage) -> None:
        """Add the text of ``got`` to the inbox, once per sender and message id."""
        text = message_text(got.message)
        if text is None:
            return
        from_ = str(device_in_family(self._world_account(sender), sender.device, False))
        if (from_, got.incoming.id) in self._read_ids:
            return  # the answer to a retry receipt for a message already read
        self._read_ids.add((from_, got.incoming.id))
        chat = got.destination if got.destination is not None else got.incoming.chat
        chat_account = self._world.account_of(chat)
        self.inbox.append(
            InboxEntry(
                id=got.incoming.id,
                from_=from_,
                chat=str(chat if chat_account is None else chat_account.jid),
                text=text,
                timestamp=got.incoming.timestamp,
            )
        )
        for listener in list(self.inbox_listeners):
            listener()

    def _world_account(self, jid: JID) -> Account:
        account = self._world.account_of(jid)
        if account is None:
            raise LookupError(f"no account owns {jid}")
        return account

    def compose(self, to: JID, text: str) -> Node:
        """Return a text ``<message>`` to ``to`` (a PN or LID user), encrypted for every device.

        The recipient's devices and the phone's own companions (which get the
        ``DeviceSentMessage``) are addressed in the JID family of ``to``.

        Raises:
            LookupError: no account owns ``to``.
            NoSession: a device has neither a session nor a bundle.
        """
        recipient = self._world_account(to)
        chat = to.to_non_ad()
        lid = chat.is_lid
        devices = [device_in_family(recipient, d, lid) for d in recipient.device_ids()]
        if recipient is not self.account:
            own = self.account.device_ids()[1:]
            devices += [device_in_family(self.account, d, lid) for d in own]
        devices = [d for d in devices if not self.local.is_this_device(d)]
        sessions, bundles = self._records(devices)
        now = int(time.time())
        phone = self.account.primary
        new_id = message_id(timestamp=now, random_bytes=phone.rng(16), own_user=self.account.phone)
        message = e2e_pb2.Message(conversation=text)
        out = encrypt_direct(
            message,
            message_id=new_id,
            to=chat,
            local=self.local,
            devices=[d for d in devices if d in sessions or d in bundles],
            sessions=sessions,
            bundles=bundles,
            trusted_identities={},
            rng=phone.rng,
        )
        for device, record in out.sessions.items():
            self._sessions[self._peer(device)] = record
        self._remember(new_id, _Sent(chat, message, now))
        return out.node

    def _records(
        self, devices: list[JID]
    ) -> tuple[dict[JID, SessionRecord], dict[JID, PreKeyBundle]]:
        """Return the sessions held with ``devices`` and bundles for the others that have one."""
        sessions = {d: s for d in devices if (s := self._sessions.get(self._peer(d))) is not None}
        bundles = {d: b for d in devices if d not in sessions and (b := self._world.take_bundle(d))}
        return sessions, bundles

    def compose_group(self, group: JID, text: str) -> Node:
        """Return a text ``<message>`` to ``group``: one skmsg, and our sender key to the
        member devices that lack it (pairwise).

        Raises:
            LookupError: no such group, or the phone's account is not a member.
            NoSession: a member device has neither a session nor a bundle.
        """
        found = self._world.groups.get(group)
        if found is None or not found.is_member(self.account.phone):
            raise LookupError(f"{self.account.phone} is not in {group}")
        phone = self.account.primary
        own = self._own_keys.get(found.jid)
        if own is None:
            _, own = create_sender_key(rng=phone.rng)
            self._key_holders[found.jid] = set()
        holders = self._key_holders.setdefault(found.jid, set())
        members = [a for p in found.members if (a := self._world.account(p)) is not None]
        devices = [device_in_family(a, d, False) for a in members for d in a.device_ids()]
        lacking = [
            d for d in devices if not self.local.is_this_device(d) and self._peer(d) not in holders
        ]
        sessions, bundles = self._records(lacking)
        now = int(time.time())
        new_id = message_id(timestamp=now, random_bytes=phone.rng(16), own_user=self.account.phone)
        message = e2e_pb2.Message(conversation=text)
        out = encrypt_group(
            message,
            message_id=new_id,
            group=found.jid,
            local=self.local,
            devices=[d for d in lacking if d in sessions or d in bundles],
            sessions=sessions,
            bundles=bundles,
            trusted_identities={},
            sender_key=own,
            rng=phone.rng,
        )
        for device, record in out.sessions.items():
            self._sessions[self._peer(device)] = record
            holders.add(self._peer(device))
        if out.sender_key is not None:
            self._own_keys[found.jid] = out.sender_key
        self._remember(new_id, _Sent(found.jid, message, now))
        return out.node

    def _remember(self, sent_id: str, sent: _Sent) -> None:
        """Keep what was sent for retry receipts (the latest ``_RECENT`` messages)."""
        self._sent[sent_id] = sent
        while len(self._sent) > _RECENT:
            self._sent.popitem(last=False)

    def _resend(self, node: Node) -> list[Node]:
        try:
            receipt = parse_receipt(node)
            sent = self._sent.get(receipt.message_ids[0])
            if sent is None or receipt.retry is None:
                return []
            group = receipt.from_ if receipt.from_.is_group else None
            device = receipt.participant if group is not None else receipt.from_
            if device is None:
                return []
            peer = self._peer(device)
            session = self._sessions.get(peer)
            bundle = receipt.retry.bundle
            if bundle is None and session is None:
                bundle = self._world.take_bundle(device)
            out = encrypt_resend(
                sent.message,
                message_id=receipt.message_ids[0],
                chat=sent.chat,
                device=device,
                local=self.local,
                session=None if receipt.retry.bundle is not None else session,
                bundle=bundle,
                trusted_identity=None,
                count=receipt.retry.count,
                timestamp=sent.timestamp,
                rng=self.account.primary.rng,
                sender_key=None if group is None else self._own_keys.get(group),
            )
        except (BotkitError, LookupError):
            return []
        self._sessions[peer] = out.sessions[device]
        return [out.node]
