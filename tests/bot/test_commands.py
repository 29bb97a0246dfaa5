"""Command declarations, the index, help text and cooldowns."""

from __future__ import annotations

import pytest

from botkit.bot import Arg, ArgType, Cooldown, CooldownScope, Permission, command
from botkit.bot.commands import Command, CommandIndex, CooldownTracker, split_command
from botkit.errors import PluginError
from botkit.testing import FakeClock
from botkit.types.jid import JID

ALICE = JID("15550000001", "s.whatsapp.net")
BOB = JID("15550000002", "s.whatsapp.net")
GROUP_A = JID("1203630001", "g.us")
GROUP_B = JID("1203630002", "g.us")


@command(
    "mute",
    aliases=["m"],
    help="Mute a user",
    args=[
        Arg("user", ArgType.USER),
        Arg("time", ArgType.DURATION),
        Arg("why", ArgType.REST, optional=True),
    ],
    permission=Permission.GROUP_ADMIN,
    cooldown=30,
)
async def mute(ctx: object, user: JID, time: object, why: str | None) -> None:
    pass


@command("ping", help="Check that the bot answers")
async def ping(ctx: object) -> None:
    pass


def test_the_decorator_makes_a_command() -> None:
    assert isinstance(mute, Command)
    assert (mute.name, mute.aliases, mute.permission) == ("mute", ("m",), Permission.GROUP_ADMIN)
    assert mute.cooldown == Cooldown(30.0, CooldownScope.USER_IN_CHAT)


def test_handler_parameters_must_match_the_arguments() -> None:
    with pytest.raises(TypeError, match=r"takes \(nmae\) after ctx but args declares \(name\)"):

        @command("greet", args=[Arg("name")])
        async def greet(ctx: object, nmae: str) -> None:
            pass


def test_rest_must_be_last() -> None:
    with pytest.raises(TypeError, match="must be last"):
        command("x", args=[Arg("a", ArgType.REST), Arg("b")])


def test_handlers_must_be_async() -> None:
    with pytest.raises(TypeError, match="must be an async function"):
        command("x")(lambda ctx: None)  # type: ignore[arg-type]


def test_usage_and_description() -> None:
    assert mute.usage("!") == "!mute <user> <time> [why]"
    description = mute.describe("!")
    assert "Mute a user" in description
    assert "<time>: a duration like 10m, 2h or 1d" in description
    assert "Also: !m" in description and "For group admins." in description


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!ping", ("!", "ping", "")),
        ("/MUTE @1 2h", ("/", "mute", "@1 2h")),
        ("! ping", None),
        ("hello", None),
    ],
)
def test_split_command(text: str, expected: tuple[str, str, str] | None) -> None:
    assert split_command(text, ["!", "/"]) == expected


def test_index_finds_names_and_aliases_and_refuses_duplicates() -> None:
    index = CommandIndex()
    index.add("mod", mute)
    assert index.find("M") == ("mod", mute)
    with pytest.raises(PluginError, match="plugin 'other': command 'mute' is already defined"):
        index.add("other", mute)


def test_help_lists_only_what_the_user_may_use() -> None:
    index = CommandIndex()
    index.add("mod", mute)
    index.add("commands", ping)
    assert index.help_text("!", Permission.MEMBER) == "!ping — Check that the bot answers"
    assert "!mute <user> <time> [why] — Mute a user" in index.help_text("!", Permission.OWNER)


def test_cooldown_per_user_in_chat() -> None:
    clock = FakeClock()
    tracker = CooldownTracker(clock.monotonic)
    assert tracker.use(mute, ALICE, GROUP_A) == 0
    assert tracker.use(mute, ALICE, GROUP_A) == 30
    assert tracker.use(mute, BOB, GROUP_A) == 0
    assert tracker.use(mute, ALICE, GROUP_B) == 0
    clock.now += 29
    assert tracker.use(mute, ALICE, GROUP_A) == pytest.approx(1)
    clock.now += 1
    assert tracker.use(mute, ALICE, GROUP_A) == 0


def test_cooldown_per_chat_and_per_user() -> None:
    clock = FakeClock()
    tracker = CooldownTracker(clock.monotonic)
    per_chat = Command("a", ping.handler, cooldown=Cooldown(10, CooldownScope.CHAT))
    per_user = Command("b", ping.handler, cooldown=Cooldown(10, CooldownScope.USER))
    assert tracker.use(per_chat, ALICE, GROUP_A) == 0
    assert tracker.use(per_chat, BOB, GROUP_A) == 10
    assert tracker.use(per_user, ALICE, GROUP_A) == 0
    assert tracker.use(per_user, ALICE, GROUP_B) == 10


def test_no_cooldown_never_waits() -> None:
    tracker = CooldownTracker(FakeClock().monotonic)
    assert tracker.use(ping, ALICE, GROUP_A) == tracker.use(ping, ALICE, GROUP_A) == 0
