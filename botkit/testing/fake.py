"""An in-memory client and a virtual clock, for testing bots and plugins without a server.

::

    client = FakeClient()
    bot = Runtime(client, config_from_dict({...}), memory_kv, clock=clock.monotonic,
                  wall_clock=clock.time, sleep=clock.sleep)
    await bot.handle(client.message("!ping"))
    assert client.texts() == ["pong"]
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from botkit.errors import ClientError, NotAuthorized
from botkit.types.events import Event, MessageReceived, ParticipantAction
from botkit.types.group import GroupInfo, GroupParticipant, GroupSetting, ParticipantRole
from botkit.types.jid import DEFAULT_USER_SERVER, JID
from botkit.types.message import OutgoingMessage, TextMessage

__all__ = ["FakeClient", "FakeClock", "MemoryKeyValueStore", "SentMessage"]

_ROLE_FOR_ACTION = {
    ParticipantAction.PROMOTED: ParticipantRole.ADMIN,
    ParticipantAction.DEMOTED: ParticipantRole.MEMBER,
}


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent through the fake: to whom, what, under which id, and when."""

    to: JID
    message: OutgoingMessage
    id: str
    at: float


class FakeClock:
    """Virtual time: ``sleep`` advances the clock at once instead of waiting."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """Return the current virtual time (usable as both clocks)."""
        return self.now

    def time(self) -> float:
        """Return the current virtual time in epoch seconds."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` and let other tasks run."""
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class MemoryKeyValueStore:
    """A dict-backed :class:`~botkit.store.base.KeyValueStore`."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], bytes] = {}

    async def get_value(self, namespace: str, key: str) -> bytes | None:
        """Return the value, or ``None``."""
        return self.values.get((namespace, key))

    async def put_value(self, namespace: str, key: str, value: bytes) -> None:
        """Store ``value``."""
        self.values[(namespace, key)] = value

    async def delete_value(self, namespace: str, key: str) -> None:
        """Delete the value if present."""
        self.values.pop((namespace, key), None)

    async def list_keys(self, namespace: str) -> list[str]:
        """Return the keys of ``namespace``, sorted."""
        return sorted(key for ns, key in self.values if ns == namespace)


class FakeClient:
    """A :class:`~botkit.bot.client_api.BotClient` that records everything the bot does.

    ``clock`` stamps sent messages (a :class:`FakeClock`, or none for 0.0).
    """

    def __init__(
        self, own_jid: JID | str = "15550000000@s.whatsapp.net", clock: FakeClock | None = None
    ) -> None:
        self.own_jid: JID | None = own_jid if isinstance(own_jid, JID) else JID.parse(own_jid)
        self.clock = clock
        self.sent: list[SentMessage] = []
        self.chat_states: list[tuple[JID, bool]] = []
        self.groups: dict[JID, GroupInfo] = {}
        self.invite_codes: dict[JID, str] = {}
        self.alternates: dict[JID, JID] = {}
        self.setting_changes: list[tuple[JID, GroupSetting, bool]] = []
        self.participant_changes: list[tuple[JID, tuple[JID, ...], ParticipantAction]] = []
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._ids = itertools.count(1)

    # -- scripting ----------------------------------------------------------------------------

    def message(
        self,
        text: str,
        *,
        sender: JID | str = "15551230001",
        chat: JID | str | None = None,
        sender_alt: JID | str | None = None,
        mentions: Sequence[JID | str] = (),
        id: str | None = None,
    ) -> MessageReceived:
        """Return a MessageReceived from ``sender`` (a number or JID) in ``chat`` (default: DM)."""
        who = _jid(sender)
        return MessageReceived(
            id=id or f"IN{next(self._ids):06d}",
            chat=_jid(chat) if chat is not None else who,
            sender=who,
            timestamp=self.clock.time() if self.clock else 0.0,
            text=text,
            sender_alt=_jid(sender_alt) if sender_alt is not None else None,
            mentions=tuple(_jid(m) for m in mentions),
        )

    def push(self, event: Event) -> None:
        """Queue ``event`` for :meth:`events`."""
        self._queue.put_nowait(event)

    def close(self) -> None:
        """End the event stream."""
        self._queue.put_nowait(None)

    def link(self, pn: JID | str, lid: JID | str) -> None:
        """Record that phone-number JID ``pn`` and LID ``lid`` are the same user."""
        a, b = _jid(pn), _jid(lid)
        self.alternates[a] = b
        self.alternates[b] = a

    def add_group(
        self,
        jid: JID | str,
        subject: str,
        participants: dict[JID | str, ParticipantRole],
        *,
        invite_code: str | None = None,
    ) -> GroupInfo:
        """Create group metadata with ``participants`` (JID -> role); return it.

        ``invite_code`` is what :meth:`group_invite_code` answers (to an admin bot).
        """
        info = GroupInfo(
            _jid(jid),
            subject,
            tuple(GroupParticipant(_jid(p), role) for p, role in participants.items()),
        )
        self.groups[info.jid] = info
        if invite_code is not None:
            self.invite_codes[info.jid] = invite_code
        return info

    def texts(self, to: JID | str | None = None) -> list[str]:
        """Return the text of every text message sent (to ``to`` only, if given)."""
        target = _jid(to) if to is not None else None
        return [
            sent.message.text
            for sent in self.sent
            if isinstance(sent.message, TextMessage) and (target is None or sent.to == target)
        ]

    # -- the BotClient protocol ---------------------------------------------------------------

    async def events(self) -> AsyncIterator[Event]:
        """Yield pushed events until :meth:`close`."""
        while (event := await self._queue.get()) is not None:
            yield event

    async def send_message(self, to: JID, message: OutgoingMessage) -> str:
        """Record ``message``; return its new id."""
        message_id = f"OUT{next(self._ids):06d}"
        self.sent.append(
            SentMessage(to, message, message_id, self.clock.time() if self.clock else 0.0)
        )
        return message_id

    async def send_chat_state(self, to: JID, typing: bool) -> None:
        """Record the typing state."""
        self.chat_states.append((to, typing))

    async def group_info(self, group: JID) -> GroupInfo:
        """Return the group's metadata. Raises ClientError for an unknown group."""
        try:
            return self.groups[group]
        except KeyError:
            raise ClientError(f"unknown group {group}") from None

    async def joined_groups(self) -> list[GroupInfo]:
        """Return the metadata of every group added with :meth:`add_group`."""
        return list(self.groups.values())

    async def alternate_jid(self, jid: JID) -> JID | None:
        """Return the linked PN/LID of ``jid``, or ``None``."""
        return self.alternates.get(jid.to_non_ad())

    async def update_group_participants(
        self, group: JID, participants: Sequence[JID], action: ParticipantAction
    ) -> None:
        """Record the change and apply it to the stored metadata.

        Raises ClientError for an unknown group.
        """
        info = await self.group_info(group)
        self.participant_changes.append((group, tuple(participants), action))
        members = {p.jid: p for p in info.participants}
        for jid in participants:
            if action is ParticipantAction.ADDED:
                members[jid] = GroupParticipant(jid)
            elif action is ParticipantAction.REMOVED:
                members.pop(jid, None)
            elif jid in members:
                members[jid] = dataclasses.replace(members[jid], role=_ROLE_FOR_ACTION[action])
        self.groups[group] = dataclasses.replace(info, participants=tuple(members.values()))

    async def group_invite_code(self, group: JID) -> str:
        """Return the invite code given to :meth:`add_group`.

        Raises NotAuthorized when the bot is not an admin of the group (as WhatsApp does), and
        ClientError for an unknown group or one without a code.
        """
        info = await self.group_info(group)
        me = info.participant(self.own_jid) if self.own_jid is not None else None
        if me is None or not me.is_admin:
            raise NotAuthorized(401, f"only admins may read the invite code of {group}")
        try:
            return self.invite_codes[group]
        except KeyError:
            raise ClientError(f"no invite code was given for {group}") from None

    async def set_group_setting(self, group: JID, setting: GroupSetting, enabled: bool) -> None:
        """Record the change and apply it to the stored metadata."""
        info = await self.group_info(group)
        self.setting_changes.append((group, setting, enabled))
        if setting is GroupSetting.ANNOUNCE:
            self.groups[group] = dataclasses.replace(info, announce=enabled)
        else:
            self.groups[group] = dataclasses.replace(info, locked=enabled)


def _jid(value: JID | str) -> JID:
    if isinstance(value, JID):
        return value
    if "@" in value:
        return JID.parse(value)
    return JID("".join(ch for ch in value if ch.isdigit()), DEFAULT_USER_SERVER)
