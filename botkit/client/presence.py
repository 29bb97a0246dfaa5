"""Presence and chat state (PROTOCOL.md §14.1, §14.2): ours to send, others' as events.

We announce ourselves ``available`` or ``unavailable`` (with our push name), subscribe to a
contact's presence, and say we are composing, recording or paused in a chat. Incoming
``<presence>`` becomes :class:`PresenceChanged`; incoming ``<chatstate>`` (one child, not acked)
becomes :class:`ChatStateChanged`. Nodes that do not parse are logged and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from botkit.client.requests import Router, Send
from botkit.core.binary import AttrReader, Node
from botkit.errors import ClientError, DecodeError, NoPushName
from botkit.store.base import CredentialStore
from botkit.types.events import ChatState, ChatStateChanged, PresenceChanged
from botkit.types.jid import JID

__all__ = ["Presence", "chat_state_node"]

log = logging.getLogger(__name__)

PresenceEvent = PresenceChanged | ChatStateChanged
"""The events this service emits."""


def chat_state_node(chat: JID, state: ChatState) -> Node:
    """Return the ``<chatstate>`` saying we are in ``state`` in ``chat`` (§14.2)."""
    if state is ChatState.PAUSED:
        child = Node("paused")
    elif state is ChatState.RECORDING:
        child = Node("composing", {"media": "audio"})
    else:
        child = Node("composing")
    return Node("chatstate", {"to": chat.to_non_ad()}, [child])


def _chat_state(child: Node) -> ChatState:
    if child.tag == "paused":
        return ChatState.PAUSED
    if child.tag == "composing":
        return ChatState.RECORDING if child.attrs.get("media") == "audio" else ChatState.COMPOSING
    raise DecodeError(f"unknown chat state <{child.tag}>")


class Presence:
    """Sends our presence and chat states; reports others' (see the module docstring)."""

    def __init__(
        self,
        router: Router,
        send: Send,
        store: CredentialStore,
        *,
        emit: Callable[[PresenceEvent], Awaitable[None]],
    ) -> None:
        self._send = send
        self._store = store
        self._emit = emit
        router.on("presence", self.on_presence)
        router.on("chatstate", self.on_chat_state)

    async def set_push_name(self, name: str) -> None:
        """Store ``name`` as our push name: what contacts see, sent with our presence and login.

        Raises:
            ValueError: ``name`` is empty.
            ClientError: the account has no credentials yet (it was never paired).
        """
        if not name.strip():
            raise ValueError("a push name cannot be empty")
        credentials = await self._store.load_credentials()
        if credentials is None:
            raise ClientError("the account is not paired: no credentials to keep a push name in")
        if credentials.push_name != name:
            await self._store.save_credentials(replace(credentials, push_name=name))

    async def set_available(self, available: bool) -> None:
        """Announce this account ``available`` (online) or ``unavailable``, with its push name.

        As whatsmeow does, announcing ``available`` needs a push name (``unavailable`` does not).

        Raises:
            NoPushName: ``available`` without a push name (see :meth:`set_push_name`).
            NotConnected: there is no connection.
        """
        attrs: dict[str, str | JID] = {"type": "available" if available else "unavailable"}
        credentials = await self._store.load_credentials()
        name = credentials.push_name if credentials is not None else ""
        if name:
            attrs["name"] = name
        elif available:
            raise NoPushName("set a push name before announcing this account available")
        await self._send(Node("presence", attrs))

    async def subscribe(self, jid: JID) -> None:
        """Ask for ``jid``'s presence: the current one, then every change, as events.

        Raises:
            NotConnected: there is no connection.
        """
        await self._send(Node("presence", {"type": "subscribe", "to": jid.to_non_ad()}))

    async def send_chat_state(self, chat: JID, state: ChatState) -> None:
        """Say we are composing, recording or paused in ``chat`` (a user or a group).

        Raises:
            NotConnected: there is no connection.
        """
        await self._send(chat_state_node(chat, state))

    async def on_presence(self, node: Node) -> None:
        """Report an incoming ``<presence from [type="unavailable"] [last]>``."""
        try:
            reader = AttrReader(node)
            jid = reader.jid("from").to_non_ad()
            reader.raise_if_errors()
            last = node.attrs.get("last")
            last_seen = float(last) if isinstance(last, str) and last.isdigit() else None
        except DecodeError as exc:
            log.info("unparseable <presence>: %s", exc)
            return
        # only "unavailable" means offline: no type, or one we do not know, is online (as
        # whatsmeow's handlePresence and Baileys' handlePresenceUpdate read it)
        available = node.attrs.get("type") != "unavailable"
        await self._emit(PresenceChanged(jid, available, last_seen))

    async def on_chat_state(self, node: Node) -> None:
        """Report an incoming ``<chatstate from [participant]>`` with its one child."""
        try:
            reader = AttrReader(node)
            chat = reader.jid("from").to_non_ad()
            participant = reader.optional_jid("participant")
            reader.raise_if_errors()
            if len(node.children) != 1:
                raise DecodeError(f"<chatstate> with {len(node.children)} children")
            state = _chat_state(node.children[0])
        except DecodeError as exc:
            log.info("unparseable <chatstate>: %s", exc)
            return
        sender = chat if participant is None else participant.to_non_ad()
        await self._emit(ChatStateChanged(chat, sender, state))
