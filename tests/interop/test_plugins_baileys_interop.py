"""Acceptance of the built-in plugins with a real Baileys group member.

One sandbox, one Baileys process (``baileys_chat.mjs``) and one moderation bot serve the whole
module. Every test has its own group, created through the control API by a simulated phone user
(the group's admin) with the bot and Baileys in it, the bot promoted to admin. Baileys is a plain
member, so it is moderated and may not run moderation commands:

* a link it posts is revoked (Baileys sees the revoke of its message id) and answered with a
  warning that mentions it, and the command the message carried never runs; at the third warning
  it is removed (``group-participants.update``), and re-added it starts the ladder afresh;
* the group's own invite link passes, another group's invite is revoked; an edit that adds a
  link is revoked and warned like a new message;
* banned with ``!ban``, then re-added by the phone admin, it is removed again, also after the bot
  restarted on the same store, and when it rejoins by the group's invite link;
* while the bot is not an admin, it tells the group's admins once and only warns; promoted, it
  revokes and removes;
* its ``!kick`` and ``!warn`` are refused and nobody is removed or warned;
* in a group whose override is ``dry_run``, its link stays (no revoke before the ``!modlog``
  answer, which shows the would-be action);
* a second bot (the scheduler) announces every second to a group named in its config, with the
  group's subject and member count rendered; Baileys and the phone admin read it, and it goes on
  after the bot restarts on the same store.

Nothing sleeps: every wait is on a Baileys event, the bot's client events or a phone's inbox.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio

from botkit.server import Sandbox
from botkit.store import AccountStore, MemoryStore, StoreOptions
from botkit.testing import SandboxBot, SandboxBots, SandboxUsers, ScriptedUser
from botkit.types.events import GroupParticipantsChanged, MessageReceived, ParticipantAction
from botkit.types.jid import JID

from .node_process import node_script
from .test_sandbox_groups_interop import GroupClient
from .test_sandbox_pairing_interop import post

pytestmark = pytest.mark.asyncio(loop_scope="module")

HERE = Path(__file__).resolve().parent
PLUGINS = HERE.parents[1] / "plugins"
BAILEYS_PHONE = "15550007777"
MODERATOR_PHONE = "15550006666"
TIMEOUT = 15.0
LIMITS = {"messages_per_minute": 1000, "per_chat_per_minute": 1000}
DRY_GROUP = "Dry run group"
OTHER_CODE = "AbCdEfGhIjKlMnOpQrStUv"  # an invite code of no group here

Match = Callable[[dict[str, Any]], bool]
T = TypeVar("T")


class Member(GroupClient):
    """Baileys as a group member: waits for an event that matches, keeping the others."""

    async def wait(self, name: str, match: Match = lambda _: True) -> dict[str, Any]:
        """Return the first event ``name`` (kept ones first) for which ``match`` is true.

        Fails after :data:`TIMEOUT`, listing the latest events read meanwhile.
        """
        try:
            async with asyncio.timeout(TIMEOUT):
                return await self.next_event_of((name,), match)
        except TimeoutError:
            raise AssertionError(f"no matching {name} event; latest: {self.kept[-8:]}") from None

    async def edit(self, group: JID, message_id: str, text: str) -> None:
        """Edit Baileys' own message ``message_id`` in ``group`` to ``text``."""
        key = {"remoteJid": str(group), "fromMe": True, "id": message_id}
        request = {"op": "edit", "to": str(group), "key": key, "text": text}
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        await self.proc.stdin.drain()
        await self.wait("kind_sent", lambda e: e["op"] == "edit")

    def seen(self, name: str, match: Match) -> list[dict[str, Any]]:
        """Return the events ``name`` already read (and kept) for which ``match`` is true."""
        return [e for e in self.kept if e["event"] == name and match(e)]

    async def text_in(self, group: JID, match: Callable[[str], bool]) -> dict[str, Any]:
        """Return the next text Baileys received (not sent) in ``group`` that ``match`` accepts."""

        def fits(event: dict[str, Any]) -> bool:
            text = event["text"]
            mine = event["fromMe"] or event["from"] != str(group)
            return not mine and text is not None and match(text)

        return await self.wait("message", fits)

    async def joined(self, group: JID, subject: str) -> None:
        """Wait until Baileys was added to ``group`` (named ``subject``).

        A member added to a group is sent it as if new (WhatsApp's ``<create>`` notification),
        so Baileys reports a creation stub each time, not a group-participants.update.
        """
        await self.wait("message", lambda e: e["from"] == str(group) and e["stub"] == [subject])

    async def removal(self, group: JID, *users: str) -> dict[str, Any]:
        """Wait until Baileys sees ``users`` (phone numbers or LID users) removed from ``group``."""
        return await self._change(group, "remove", users)

    async def _change(self, group: JID, action: str, users: tuple[str, ...]) -> dict[str, Any]:
        def fits(event: dict[str, Any]) -> bool:
            named = {JID.parse(jid).user for jid in event["participants"]}
            return (
                event["id"] == str(group)
                and event["action"] == action
                and bool(named.intersection(users))
            )

        return await self.wait("participants", fits)


@dataclass
class World:
    """The module's sandbox, Baileys (a member), the moderation bot and a phone (the admin)."""

    sandbox: Sandbox
    baileys: Member
    baileys_ids: tuple[str, ...]  # Baileys' phone number and LID user
    bots: SandboxBots
    account: AccountStore  # the moderation bot's store
    admin: ScriptedUser
    other: ScriptedUser
    bot_stack: AsyncExitStack = field(default_factory=AsyncExitStack)
    bot: SandboxBot = field(init=False)

    async def start_bot(self) -> None:
        """(Re)start the moderation bot on its store; return once it is logged in."""
        await self.bot_stack.aclose()
        running = self.bots.running(moderation_config(), account=self.account)
        self.bot = await self.bot_stack.enter_async_context(running)

    @property
    def baileys_jid(self) -> str:
        return f"{BAILEYS_PHONE}@s.whatsapp.net"

    async def control(self, path: str, body: dict[str, Any]) -> Any:
        """POST ``body`` to the control API's ``path``; return the answer (failing on an error)."""
        status, answer = await post(f"{self.sandbox.control_url}/control/{path}", body)
        assert status == 200, (path, answer)
        return answer

    async def participants(self, group: JID, action: str, *jids: JID | str) -> None:
        """Have the phone admin ``action`` (add, remove, promote...) ``jids`` in ``group``."""
        body = {"by": self.admin.phone, "action": action, "participants": [str(j) for j in jids]}
        results = await self.control(f"groups/{group}/participants", body)
        assert [r["status"] for r in results] == [200] * len(jids), results

    def members(self, group: JID) -> set[str]:
        """Return the phone numbers of ``group``'s members (the control API's metadata)."""
        meta = self.sandbox.group_control.metadata(group)
        return {JID.parse(p["jid"]).user for p in meta["participants"]}

    async def group(
        self,
        subject: str,
        *extra: ScriptedUser,
        bot: SandboxBot | None = None,
        promote: bool = True,
    ) -> JID:
        """Have the phone admin create ``subject`` with the bot, Baileys and ``extra``, and
        promote the bot (unless ``promote`` is false); return the group once Baileys has it."""
        bot = bot or self.bot
        people = [str(bot.jid), self.baileys_jid, *(str(user.jid) for user in extra)]
        body = {"creator": self.admin.phone, "subject": subject, "participants": people}
        group = JID.parse((await self.control("groups", body))["jid"])
        await self.baileys.joined(group, subject)
        if promote:
            await self.promote(group, bot)
        return group

    async def promote(self, group: JID, bot: SandboxBot) -> None:
        """Have the phone admin promote ``bot``; return once the bot's client has seen it."""

        def promoted(event: object, _: None) -> bool:
            return (
                isinstance(event, GroupParticipantsChanged)
                and event.group == group
                and event.action is ParticipantAction.PROMOTED
                and any(p.user == bot.phone for p in event.participants)
            )

        await _seen_by(bot, self.participants(group, "promote", bot.jid), promoted)

    async def baileys_says(self, group: JID, text: str) -> str:
        """Have Baileys send ``text`` to ``group``; return its id once the bot's client has it
        (so whatever is sent to the group later reaches the bot after it)."""

        def received(event: object, sent: str) -> bool:
            return isinstance(event, MessageReceived) and event.id == sent

        return await _seen_by(self.bot, self.baileys.send_text(str(group), text), received)

    async def admin_says(self, group: JID, text: str) -> None:
        """Have the phone admin send ``text`` to ``group``."""
        await self.sandbox.send_text(self.admin.phone, group, text)


async def _seen_by(bot: SandboxBot, action: Awaitable[T], seen: Callable[[object, T], bool]) -> T:
    """Await ``action``; return its result once ``bot``'s client emitted an event that
    ``seen(event, result)`` accepts."""
    events = bot.running.client.subscribe(object)
    try:
        result = await action
        async with asyncio.timeout(TIMEOUT):
            while not seen(await events.get(), result):
                pass
    finally:
        bot.running.client.unsubscribe(events)
    return result


def moderation_config() -> dict[str, Any]:
    """The moderation bot: links are deleted and warned, kick at 3; the dry-run group only logs."""
    return {
        "account": "moderator",
        "pair_with": MODERATOR_PHONE,
        "bot": {"name": "Moderator", "rate_limit": LIMITS},
        "plugins": {"enabled": ["commands", "moderation"], "paths": [str(PLUGINS)]},
        "moderation": {
            "anti_link": {"action": "delete_and_warn"},
            "flood": {"enabled": False},
            "welcome": {"enabled": False},
            "warnings": {"kick_at": 3},
            "overrides": {DRY_GROUP: {"dry_run": True}},
        },
    }


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        sandbox = await stack.enter_async_context(
            Sandbox(ref_timeouts=(20.0, 10.0), reply_timeout=10.0)
        )
        users = SandboxUsers(sandbox)
        admin = await users.create("Phone admin")
        other = await users.create("Phone member")
        sandbox.create_user(BAILEYS_PHONE, "Baileys member")
        proc = await stack.enter_async_context(
            node_script("baileys_chat.mjs", sandbox.ws_url, sandbox.root_public_key)
        )
        baileys = Member(proc)
        await sandbox.linker.pair_qr(BAILEYS_PHONE, (await baileys.next_event("qr"))["qr"])
        opened = await baileys.next_event("open")
        ids = tuple(JID.parse(jid).user for jid in (opened["me"], opened["lid"]) if jid)
        bots = SandboxBots(sandbox, stack, base_dir=HERE)  # no templates/ here: the defaults
        memory = MemoryStore(StoreOptions(renew_interval=None))
        stack.push_async_callback(memory.close)
        account = await memory.open_account("moderator")
        world = World(sandbox, baileys, ids, bots, account, admin, other)
        stack.push_async_callback(world.bot_stack.aclose)
        await world.start_bot()
        yield world


def _by_bot(world: World, bot: SandboxBot | None = None) -> Match:
    """Match Baileys' message events sent by ``bot`` (by phone number or LID)."""
    bot = bot or world.bot
    lid = bot.running.connected.lid
    users = {bot.phone} | ({lid.user} if lid is not None else set())

    def fits(event: dict[str, Any]) -> bool:
        return JID.parse(event["participant"] or event["from"]).user in users

    return fits


def _bot_texts(world: World, group: JID) -> list[dict[str, Any]]:
    """Return the bot's texts in ``group`` that Baileys read but no wait took yet."""
    from_bot = _by_bot(world)

    def fits(event: dict[str, Any]) -> bool:
        return event["from"] == str(group) and event["text"] is not None and from_bot(event)

    return world.baileys.seen("message", fits)


async def _link(world: World, group: JID, n: int) -> str:
    """Have Baileys post a link in ``group``; return the message id."""
    return await world.baileys.send_text(str(group), f"cheap stuff #{n} at https://spam.example/x")


async def _warned(world: World, group: JID, count: int) -> dict[str, Any]:
    """Wait for the bot's warning ``count`` of 3 to Baileys in ``group``; return the message."""
    warning = await world.baileys.text_in(group, lambda t: f"warning {count} of 3" in t)
    assert _by_bot(world)(warning), warning
    assert any(f"@{user}" in warning["text"] for user in world.baileys_ids), warning
    context = await world.baileys.wait("context", lambda e: e["id"] == warning["id"])
    assert {JID.parse(j).user for j in context["mentions"]} & set(world.baileys_ids), context
    return warning


async def _revoked(world: World, group: JID, message_id: str) -> None:
    revoked = await world.baileys.wait("revoked", lambda e: e["id"] == message_id)
    assert revoked["chat"] == str(group), revoked


async def test_a_link_is_revoked_and_answered_with_a_warning(world: World) -> None:
    group = await world.group("Links")
    posted = await world.baileys.send_text(str(group), "!rules or see https://spam.example/x")
    await _revoked(world, group, posted)
    warning = await _warned(world, group, 1)
    assert "spam.example" in warning["text"]
    assert BAILEYS_PHONE in world.members(group)  # a first warning removes nobody
    # moderation stopped the message before the commands: !rules never answered. The bot handles
    # a chat's messages in order, so its answer would have come before the admin's pong
    await world.admin_says(group, "!ping")
    await world.baileys.text_in(group, lambda t: t == "pong")
    said = _bot_texts(world, group)
    assert said == [], [e["text"] for e in said]


async def test_the_groups_own_invite_passes_and_another_groups_is_revoked(world: World) -> None:
    group = await world.group("Invites")
    own = world.sandbox.group_control.metadata(group)["invite_code"]
    ours = await world.baileys.send_text(str(group), f"join: https://chat.whatsapp.com/{own}")
    theirs = await world.baileys.send_text(str(group), f"or https://chat.whatsapp.com/{OTHER_CODE}")
    await _revoked(world, group, theirs)
    warning = await _warned(world, group, 1)
    assert "invites to other groups" in warning["text"], warning
    # the bot handles a chat's messages in order: a revoke of the first would have come first
    assert not world.baileys.seen("revoked", lambda e: e["id"] == ours)


async def test_an_edit_that_adds_a_link_is_revoked_and_warned(world: World) -> None:
    group = await world.group("Edits")
    posted = await world.baileys.send_text(str(group), "a harmless message")
    await world.baileys.edit(group, posted, "a harmless message https://spam.example/x")
    await _revoked(world, group, posted)
    warning = await _warned(world, group, 1)
    assert "spam.example" in warning["text"], warning


async def test_the_third_warning_removes_the_member(world: World) -> None:
    group = await world.group("Three strikes")
    for n in (1, 2, 3):
        posted = await _link(world, group, n)
        await _revoked(world, group, posted)
        if n < 3:
            await _warned(world, group, n)
    removal = await world.baileys.removal(group, *world.baileys_ids)
    assert JID.parse(removal["author"]).user in {world.bot.phone, _lid_user(world.bot)}
    assert BAILEYS_PHONE not in world.members(group)
    # the removal wiped the slate: re-added, the member starts the ladder again
    await world.participants(group, "add", world.baileys_jid)
    await world.baileys.joined(group, "Three strikes")
    await _link(world, group, 4)
    await _warned(world, group, 1)


async def test_a_banned_member_who_rejoins_is_removed_again(world: World) -> None:
    group = await world.group("Bans")
    await world.admin_says(group, f"!ban +{BAILEYS_PHONE} spam")
    await world.baileys.removal(group, *world.baileys_ids)
    for restart in (False, True):  # re-added while the bot runs, and after it restarted
        if restart:
            await world.start_bot()  # on the same store: the ban is kept
        await world.participants(group, "add", world.baileys_jid)
        await world.baileys.joined(group, "Bans")
        again = await world.baileys.removal(group, *world.baileys_ids)
        assert JID.parse(again["author"]).user in {world.bot.phone, _lid_user(world.bot)}
        assert BAILEYS_PHONE not in world.members(group)
    code = world.sandbox.group_control.metadata(group)["invite_code"]
    assert await world.baileys.call("groupAcceptInvite", code) == str(group)  # by the link
    await world.baileys.removal(group, *world.baileys_ids)
    assert BAILEYS_PHONE not in world.members(group)


async def test_a_bot_that_is_not_admin_tells_the_admins_once_then_acts_once_promoted(
    world: World,
) -> None:
    group = await world.group("Not yet", promote=False)
    first = await _link(world, group, 1)
    notice = await world.baileys.text_in(group, lambda t: t.startswith("I cannot moderate"))
    assert "Not yet" in notice["text"] and f"@{world.admin.phone}" in notice["text"], notice
    assert "warning 1 of 3" in (await _warned(world, group, 1))["text"]  # warned, not deleted
    await _link(world, group, 2)
    await _warned(world, group, 2)
    said = _bot_texts(world, group)
    assert said == [], said  # told once: no second notice before the second warning
    assert not world.baileys.seen("revoked", lambda e: e["id"] == first)
    await world.promote(group, world.bot)
    third = await _link(world, group, 3)
    await _revoked(world, group, third)
    await world.baileys.removal(group, *world.baileys_ids)


async def test_a_non_admin_cannot_run_moderation_commands(world: World) -> None:
    group = await world.group("No powers", world.other)
    for command in ("kick", "warn"):
        await world.baileys.send_text(str(group), f"!{command} +{world.other.phone} annoying")
        refusal = await world.baileys.text_in(group, lambda t, c=command: t.startswith(f"!{c} "))
        assert refusal["text"] == f"!{command} is only for group admins.", refusal
    assert {BAILEYS_PHONE, world.other.phone} <= world.members(group)
    await world.admin_says(group, "!warnings")
    answer = await world.baileys.text_in(group, lambda t: not t.startswith("!"))
    assert answer["text"] == "Nobody here has warnings."


async def test_dry_run_revokes_nothing_and_logs_the_would_be_action(world: World) -> None:
    group = await world.group(DRY_GROUP)
    posted = await world.baileys_says(group, "cheap stuff at https://spam.example/x")
    await world.admin_says(group, "!modlog")
    log = await world.baileys.text_in(group, lambda t: t.startswith("Moderation log"))
    assert "[dry run]" in log["text"] and "would delete+warn" in log["text"], log
    # the bot sends in order: a revoke or a warning would have reached Baileys before the log
    assert not world.baileys.seen("revoked", lambda e: e["id"] == posted)
    said = _bot_texts(world, group)
    assert [e["id"] for e in said] == [], said  # no warning came before the log either


async def test_an_announcement_reaches_the_group_and_survives_a_restart(world: World) -> None:
    phone = "15550008888"
    world.sandbox.create_user(phone, "Announcer")
    memory = MemoryStore(StoreOptions(renew_interval=None))
    account = await memory.open_account("announcer")
    config = announcer_config(phone)
    try:
        async with world.bots.running(config, account=account) as bot:
            group = await world.group("Town square", bot=bot)
            first = await world.baileys.text_in(group, _announcement)
            assert _by_bot(world, bot)(first), first
            await _admin_read(world, group, _announcement)
        restarted_at = time.time()
        async with world.bots.running(config, account=account) as again:
            job = again.runtime.context("scheduler").scheduler.get("town")
            assert job is not None and job.last_run is not None  # the state was kept
            later = await world.baileys.text_in(
                group, lambda t: _announcement(t) and _sent_at(t) >= restarted_at
            )
            assert _by_bot(world, again)(later), later
    finally:
        await memory.close()


def announcer_config(phone: str) -> dict[str, Any]:
    """A scheduler bot announcing every second to the group named "Town square"."""
    text = (
        "{{ group.subject }} has {{ group.member_count }} members"
        " (sent at {{ '%.3f' | format(now.timestamp()) }})"
    )
    town = {"id": "town", "to": ["Town square"], "every": "1s", "text": text}
    return {
        "account": "announcer",
        "pair_with": phone,
        "bot": {"name": "Announcer", "rate_limit": LIMITS},
        "plugins": {"enabled": ["scheduler"], "paths": [str(PLUGINS)]},
        "scheduler": {"announcements": [town]},
    }


def _announcement(text: str) -> bool:
    return text.startswith("Town square has 3 members (sent at ")


def _sent_at(text: str) -> float:
    return float(text.rpartition("sent at ")[2].rstrip(")"))


async def _admin_read(world: World, group: JID, match: Callable[[str], bool]) -> None:
    """Wait until the phone admin decrypted a text in ``group`` that ``match`` accepts."""
    async with asyncio.timeout(TIMEOUT):
        count = 1
        while True:
            inbox = await world.sandbox.wait_inbox(world.admin.phone, count)
            if any(e["chat"] == str(group) and match(str(e["text"])) for e in inbox):
                return
            count = len(inbox) + 1


def _lid_user(bot: SandboxBot) -> str | None:
    lid = bot.running.connected.lid
    return None if lid is None else lid.user
