"""Receiving 1:1 messages (PROTOCOL.md §10.1-10.4, §10.6); receipts are in :mod:`.receipts`.

A ``<message>`` is decrypted with :func:`~botkit.core.e2e.decrypt_incoming`; the new session
record, the used one-time pre-key, the sender's identity and the journal entry are committed in
**one** store call (:meth:`~botkit.store.base.InboundCommitter.commit_inbound`), and only then
is the delivery receipt sent and the event emitted (ARCHITECTURE.md, "acknowledge only after
commit"): a crash before the commit means the server delivers the message again, and the
journal makes a second delivery harmless (receipt again, no second event). The event goes out
before the receipt; a sink that raises is the application's bug (the client logs it and the
receipt still goes). The commit is the point of no return: a crash, or a cancellation of the
client's task, after it and before the sink returned loses the event for the application, since
the redelivery is then dropped as a duplicate (only an outbox of undelivered events in the store
would close that window).

A message that does not decrypt is answered as :func:`~botkit.core.e2e.failure_answers` says
(a retry receipt, with fresh keys from the second try or without a session, and an ack) and
reported as :class:`UndecryptableMessage`.

Each ``<enc>`` is decrypted on its own (:func:`~botkit.core.e2e.decrypt_parts`), so one part's
failure loses nothing another part gave. When the pairwise part (the sender-key distribution)
decrypted but the ``skmsg`` did not, the new session, pre-key, identity and sender key are
committed in one unit *without* the journal entry — the message is not handled, so the
sender's answer to our retry receipt is read — and the message is reported undecryptable; the
sender's next ``skmsg`` decrypts with the kept key. When the pairwise part failed but the
``skmsg`` decrypted with the key we hold, the message is delivered and journaled, and the failed
part is answered with a retry receipt and an ack as whatsmeow does (its resend then repairs the
session, and is no second event). Identity keys are trusted on first use and a changed
key is accepted and recorded in the identity history, as WhatsApp clients do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Protocol

from botkit.client.devices import local_device
from botkit.client.kinds import KindEvent, Origin, received_event
from botkit.client.lid_migration import learn_lid
from botkit.client.requests import Send
from botkit.core import signal
from botkit.core.binary import Node
from botkit.core.e2e import (
    NACK_PARSING_ERROR,
    DecryptedParts,
    LocalDevice,
    Outcome,
    ReceivedMessage,
    decrypt_parts,
    failure_answers,
)
from botkit.core.stanza import (
    IncomingMessage,
    ack,
    parse_message,
)
from botkit.errors import (
    BadMac,
    BotkitError,
    CryptoError,
    DecodeError,
    DuplicateMessage,
    NoSession,
    NotConnected,
    UntrustedIdentity,
)
from botkit.store.base import (
    CredentialStore,
    InboundCommitter,
    LIDMapStore,
    MessageJournal,
    PreKeyStore,
    SenderKeyStore,
    SessionStore,
)
from botkit.store.values import DeviceCredentials, InboundUnit, MessageKey, SenderKeyUpdate
from botkit.types.events import (
    DecryptFailure,
    ReceiptReceived,
    UndecryptableMessage,
)
from botkit.types.jid import JID, SignalAddress

__all__ = ["MAX_RETRY_RECEIPTS", "MessageEvent", "Receiver", "session_address"]

log = logging.getLogger(__name__)

MAX_RETRY_RECEIPTS = 4
"""How many retry receipts we send for one message before giving up on it (§10.6)."""

_REMEMBERED_RETRIES = 1024

MessageEvent = KindEvent | ReceiptReceived | UndecryptableMessage
"""The events the message path emits."""

_FAILURES: Sequence[tuple[type[BotkitError], DecryptFailure]] = (
    (NoSession, DecryptFailure.NO_SESSION),
    (BadMac, DecryptFailure.BAD_MAC),
    (UntrustedIdentity, DecryptFailure.UNTRUSTED_IDENTITY),
)


class _Store(
    CredentialStore,
    PreKeyStore,
    SessionStore,
    SenderKeyStore,
    InboundCommitter,
    MessageJournal,
    LIDMapStore,
    Protocol,
):
    """What receiving needs of the account store."""


def _reason(error: BotkitError) -> DecryptFailure:
    for kind, reason in _FAILURES:
        if isinstance(error, kind):
            return reason
    return DecryptFailure.INVALID_MESSAGE


def session_address(incoming: IncomingMessage) -> SignalAddress:
    """Return the Signal address of the sender's device: its LID when the node names one (§10.2)."""
    sender = incoming.sender
    lid = incoming.alt_jids.get("sender_lid") or incoming.alt_jids.get("participant_lid")
    if sender.is_pn and lid is not None:
        sender = JID(lid.user, lid.server, sender.device)
    return sender.signal_address()


def _alternate(incoming: IncomingMessage) -> JID | None:
    alt = incoming.alt_jids
    found = alt.get("sender_lid") or alt.get("sender_pn") or alt.get("participant_lid")
    found = found or alt.get("participant_pn")
    return None if found is None else found.to_non_ad()


class Receiver:
    """Handles ``<message>`` nodes (see the module docstring).

    ``emit`` receives the events; ``lock`` is shared with the
    :class:`~botkit.client.send.Sender` (see :mod:`botkit.client.send`).
    """

    def __init__(
        self,
        send: Send,
        store: _Store,
        lock: asyncio.Lock,
        *,
        emit: Callable[[MessageEvent], Awaitable[None]],
        rng: Callable[[int], bytes],
    ) -> None:
        self._send = send
        self._store = store
        self._lock = lock
        self._emit = emit
        self._rng = rng
        self._retries: dict[tuple[str, str], int] = {}
        self._mapped: set[str] = set()

    async def on_message(self, node: Node) -> None:
        """Decrypt, commit, then receipt and report one incoming ``<message>``.

        Raises:
            NotConnected: an answer could not be sent.
            StoreError: the commit failed (nothing is answered: the server redelivers).
        """
        try:
            incoming = parse_message(node)
        except DecodeError as exc:
            log.info("unparseable <message>: %s", exc)
            await self._send(ack(node, NACK_PARSING_ERROR))
            return
        credentials = await self._store.load_credentials()
        try:
            local = local_device(credentials)
        except NotConnected:
            log.warning("ignored a <message> on a device that is not paired")
            return
        assert credentials is not None  # local_device raised otherwise
        key = MessageKey(str(incoming.chat), str(incoming.sender.to_non_ad()), incoming.id)
        fresh = False
        async with self._lock:  # a send must not store a record under an address just left
            await self._learn_mapping(incoming)
            try:
                parts = await self._decrypt(node, incoming, local, credentials)
            except BotkitError as exc:  # refused as a whole: nothing of it was decrypted
                refused: BotkitError | None = exc
            else:
                refused = None
                if parts.outcome is not Outcome.FAILED:
                    journal = parts.outcome is not Outcome.RECORDS_ONLY
                    fresh = await self._commit(key, incoming, parts.received, journal=journal)
        failure = refused or parts.failure
        if refused is not None or parts.outcome in (Outcome.FAILED, Outcome.RECORDS_ONLY):
            assert failure is not None  # these outcomes always have one
            await self._failed(node, incoming, key, failure, local, credentials)
            return
        received = parts.received
        # The commit is done: the application hears of the message now, before the receipt
        # (a network write) goes out, so that a crash right after the commit is least likely
        # to lose it (its redelivery would be dropped as a duplicate).
        event = self._event(incoming, received) if fresh else None
        if event is not None:
            await self._emit(event)
        if isinstance(failure, CryptoError):  # Outcome.CONTENT_ONLY: ask for the failed part
            log.info(
                "a part of %s from %s did not decrypt: %s", incoming.id, incoming.sender, failure
            )
            await self._ask_again(node, incoming, failure, local, credentials)
            return
        await self._send(received.receipt)
        self._retries.pop((str(incoming.sender), incoming.id), None)

    async def _decrypt(
        self,
        node: Node,
        incoming: IncomingMessage,
        local: LocalDevice,
        credentials: DeviceCredentials,
    ) -> DecryptedParts:
        address = session_address(incoming)
        stored = await self._store.get_session(address)
        sender_key = None
        if incoming.is_group_like:
            record = await self._store.get_sender_key(str(incoming.chat), address)
            sender_key = None if record is None else signal.SenderKeyRecord.deserialize(record)
        one_time: dict[int, signal.PreKey] = {}
        for enc in incoming.encs:
            if enc.type == "pkmsg":
                try:
                    prekey_id = signal.parse_prekey_message(enc.data).prekey_id
                except BotkitError:  # decrypt_parts reports it as this part's failure
                    continue
                found = None if prekey_id is None else await self._store.get_pre_key(prekey_id)
                if found is not None:
                    one_time[found.key_id] = signal.PreKey(found.key_id, found.key_pair)
        spk = credentials.signed_pre_key
        return decrypt_parts(
            node,
            local=local,
            session=None if stored is None else signal.SessionRecord.deserialize(stored),
            sender_key=sender_key,
            signed_prekeys={spk.key_id: spk},
            one_time_prekeys=one_time,
            trusted_identity=None,
            rng=self._rng,
        )

    async def _commit(
        self, key: MessageKey, incoming: IncomingMessage, got: ReceivedMessage, *, journal: bool
    ) -> bool:
        """Commit what ``got`` holds, journaling ``key`` if ``journal``; return True if fresh.

        A message the journal already holds that decrypted again is the sender's answer to our
        retry receipt (a new encryption, not a redelivery, which fails as a duplicate): its
        records are newer than ours and kept, with no second event.
        """
        unit = self._unit(key, incoming, got, journal)
        fresh = await self._store.commit_inbound(unit)
        if not fresh and (unit.sessions or unit.sender_keys or unit.identities):
            await self._store.commit_inbound(replace(unit, journal=False))
        return fresh

    @staticmethod
    def _unit(
        key: MessageKey, incoming: IncomingMessage, got: ReceivedMessage, journal: bool
    ) -> InboundUnit:
        address = session_address(incoming)
        sender_keys: tuple[SenderKeyUpdate, ...] = ()
        if got.sender_key is not None:
            update = SenderKeyUpdate(str(incoming.chat), address, got.sender_key.serialize())
            sender_keys = (update,)
        return InboundUnit(
            message=key,
            sessions={} if got.session is None else {address: got.session.serialize()},
            consumed_pre_key=got.used_prekey_id,
            sender_keys=sender_keys,
            identities={} if got.identity_key is None else {address: got.identity_key},
            journal=journal,
        )

    def _event(self, incoming: IncomingMessage, got: ReceivedMessage) -> KindEvent | None:
        chat = got.destination if got.is_from_me and got.destination else incoming.chat
        notify = incoming.notify or ""
        origin = Origin(
            id=incoming.id,
            chat=chat.to_non_ad(),
            sender=incoming.sender.to_non_ad(),
            timestamp=float(incoming.timestamp),
            sender_alt=_alternate(incoming),
            push_name="" if notify == "-" else notify,
            from_me=got.is_from_me,
        )
        return received_event(got.message, origin)

    async def _learn_mapping(self, incoming: IncomingMessage) -> None:
        sender = incoming.sender.to_non_ad()
        alternate = _alternate(incoming)
        if alternate is None or str(sender) in self._mapped:
            return
        if sender.is_pn and alternate.is_lid:
            await learn_lid(self._store, alternate, sender)
        elif sender.is_lid and alternate.is_pn:
            await learn_lid(self._store, sender, alternate)
        self._mapped.add(str(sender))

    async def _failed(
        self,
        node: Node,
        incoming: IncomingMessage,
        key: MessageKey,
        error: BotkitError,
        local: LocalDevice,
        credentials: DeviceCredentials,
    ) -> None:
        """Answer a message that did not decrypt (or was a redelivery) and report it."""
        if not isinstance(error, DuplicateMessage) and await self._store.has_seen(key):
            error = DuplicateMessage("the journal holds this message")
        if isinstance(error, DuplicateMessage):
            for answer in failure_answers(node, error, local=local, retry_count=0):
                await self._send(answer)
            return
        log.info("message %s from %s did not decrypt: %s", incoming.id, incoming.sender, error)
        await self._ask_again(node, incoming, error, local, credentials)
        await self._emit(
            UndecryptableMessage(
                incoming.id,
                incoming.chat,
                incoming.sender.to_non_ad(),
                _reason(error),
                float(incoming.timestamp),
            )
        )

    async def _ask_again(
        self,
        node: Node,
        incoming: IncomingMessage,
        error: BotkitError,
        local: LocalDevice,
        credentials: DeviceCredentials,
    ) -> None:
        """Answer ``error`` (not a duplicate) as :func:`failure_answers` says, counting retries.

        After :data:`MAX_RETRY_RECEIPTS` a crypto failure gets the ack alone.
        """
        count = self._next_retry(incoming)
        if isinstance(error, CryptoError) and count > MAX_RETRY_RECEIPTS:
            await self._send(ack(node))
            return
        wants_keys = isinstance(error, CryptoError) and (count > 1 or isinstance(error, NoSession))
        keys = await self._retry_keys(credentials) if wants_keys else None
        for answer in failure_answers(node, error, local=local, retry_count=count, retry_keys=keys):
            await self._send(answer)

    def _next_retry(self, incoming: IncomingMessage) -> int:
        slot = (str(incoming.sender), incoming.id)
        counted = [enc.count for enc in incoming.encs if enc.count is not None]
        count = max(self._retries.get(slot, 0), max(counted, default=0)) + 1
        self._retries[slot] = count
        if len(self._retries) > _REMEMBERED_RETRIES:
            del self._retries[next(iter(self._retries))]
        return count

    async def _retry_keys(self, credentials: DeviceCredentials) -> signal.PreKeyBundle:
        """Return our keys with a one-time pre-key made for this retry receipt alone."""
        (prekey,) = await self._store.get_or_generate_pre_keys(1)
        await self._store.mark_pre_keys_uploaded(prekey.key_id)
        return signal.PreKeyBundle.of(
            credentials.registration_id,
            credentials.identity_key,
            credentials.signed_pre_key,
            signal.PreKey(prekey.key_id, prekey.key_pair),
        )
