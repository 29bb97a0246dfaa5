"""Scripted users on an in-process sandbox: they send texts and assert the replies they get.

::

    alice = await users.create("Alice")
    await alice.send(bot, "!ping")
    await alice.expect_reply("pong", timeout=5)

A user is an account of the sandbox; its simulated phone encrypts what it sends and decrypts
what it receives, so a bot talking to it goes through the whole protocol. Waiting for a reply
waits on the phone's inbox (no polling, no sleeping).
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from botkit.server import Sandbox
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["FIRST_NUMBER", "HasJID", "SandboxUsers", "ScriptedUser", "free_number"]

FIRST_NUMBER = 15550100001
"""Numbers handed out by :func:`free_number` count up from here."""


class HasJID(Protocol):
    """Anything that can be talked to: a user, a bot (its ``jid`` is its phone-number JID)."""

    @property
    def jid(self) -> JID: ...


def free_number(sandbox: Sandbox) -> str:
    """Return the first phone number from :data:`FIRST_NUMBER` with no account on ``sandbox``."""
    number = FIRST_NUMBER
    while sandbox.world.account(str(number)) is not None:
        number += 1
    return str(number)


class ScriptedUser:
    """An account of ``sandbox`` acting as a person with a phone; made by :class:`SandboxUsers`."""

    def __init__(self, sandbox: Sandbox, phone: str, name: str, jid: JID, lid: JID) -> None:
        self.sandbox = sandbox
        self.phone = phone
        self.name = name
        self.jid = jid
        self.lid = lid
        self._read = 0

    def __repr__(self) -> str:
        return f"ScriptedUser({self.name!r}, +{self.phone})"

    async def send(self, to: HasJID | JID | str, text: str) -> str:
        """Send ``text`` to ``to`` (a bot, a user, a JID or a phone number); return its id."""
        if isinstance(to, str):
            target = JID.parse(to) if "@" in to else JID(to, DEFAULT_USER_SERVER)
        elif isinstance(to, JID):
            target = to
        else:
            target = to.jid
        return await self.sandbox.send_text(self.phone, target.to_non_ad(), text)

    @property
    def received(self) -> list[dict[str, object]]:
        """Every text the phone received so far, oldest first (``id, from, chat, text...``)."""
        return self.sandbox.inbox(self.phone)

    async def next_message(self, timeout: float = 5.0) -> dict[str, object]:
        """Return the next text received that no earlier call returned; wait up to ``timeout``.

        Raises AssertionError when nothing arrives in time.
        """
        try:
            async with asyncio.timeout(timeout):
                inbox = await self.sandbox.wait_inbox(self.phone, self._read + 1)
        except TimeoutError:
            raise AssertionError(
                f"{self.name} (+{self.phone}) received nothing within {timeout:g} s"
            ) from None
        entry = inbox[self._read]
        self._read += 1
        return entry

    async def expect_reply(
        self, expected: str | None = None, *, contains: str | None = None, timeout: float = 5.0
    ) -> str:
        """Wait for the next text (see :meth:`next_message`); return it.

        Raises AssertionError when nothing arrives, when ``expected`` is given and the text is
        not exactly it, or when ``contains`` is given and the text does not contain it.
        """
        entry = await self.next_message(timeout)
        text = str(entry["text"])
        if expected is not None and text != expected:
            raise AssertionError(f"{self.name} expected {expected!r}, got {text!r}")
        if contains is not None and contains not in text:
            raise AssertionError(f"{self.name} expected a text containing {contains!r}: {text!r}")
        return text


class SandboxUsers:
    """Creates :class:`ScriptedUser` accounts on ``sandbox`` (the ``sandbox_users`` fixture)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def create(self, name: str, phone: str | None = None) -> ScriptedUser:
        """Create an account named ``name`` (on a free number unless ``phone``); return it.

        Raises ValueError when ``phone`` is taken or not a phone number.
        """
        number = phone or free_number(self.sandbox)
        created = self.sandbox.create_user(number, name)
        return ScriptedUser(
            self.sandbox, number, name, JID.parse(created["jid"]), JID.parse(created["lid"])
        )
