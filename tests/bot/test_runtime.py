"""End to end through the fake client: commands, help, isolation, dedupe, ordering, lifecycle."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from botkit.bot import Stop
from botkit.testing import FakeClient, FakeClock, MemoryKeyValueStore
from botkit.types import (
    GroupParticipantsChanged,
    ParticipantAction,
    ParticipantRole,
    ReactionMessage,
)
from botkit.types.jid import JID

from .conftest import OWNER, MakeBot

REPO = Path(__file__).resolve().parents[2]
GROUP = "120363000000000001@g.us"
MEMBER = "15551230001"

RAISER = """
from botkit import hookimpl

@hookimpl(tryfirst=True)
async def botkit_message(event, ctx):
    raise RuntimeError("plugin bug")
"""

RECORDER = """
from botkit import hookimpl

seen = []

@hookimpl
async def botkit_message(event, ctx):
    seen.append(event.text)

@hookimpl
def botkit_plugin_error(plugin, hook, error):
    seen.append(f"error in {plugin}/{hook}: {error}")
"""


async def test_ping_answers_pong(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    await bot.handle(client.message("!ping"))
    assert client.texts() == ["pong"]
    assert client.sent[0].to == JID(MEMBER, "s.whatsapp.net")


async def test_help_lists_the_commands(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    await bot.handle(client.message("/help"))
    [text] = client.texts()
    assert text.startswith("Commands:")
    for usage in ("/about", "/help [name]", "/ping — Check that the bot answers"):
        assert usage in text


async def test_help_explains_one_command(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    await bot.handle(client.message("!help about"))
    assert client.texts() == ["!about\nWhat this bot is and how long it has been up\nAlso: !uptime"]


async def test_about_shows_the_uptime(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot(bot={"name": "Demo bot"})
    clock.now += 3725
    await bot.handle(client.message("!uptime"))
    [text] = client.texts()
    assert text.startswith("Demo bot, a botkit ") and text.endswith("up 1h 2m 5s.")


async def test_a_raising_plugin_does_not_stop_the_bot(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(plugins={"raiser": RAISER, "recorder": RECORDER})
    await bot.handle(client.message("!ping"))
    await bot.handle(client.message("hello"))
    assert client.texts() == ["pong"]
    recorder = bot.manager.plugins["recorder"].plugin
    assert recorder.seen == [  # type: ignore[attr-defined]
        "error in raiser/botkit_message: plugin bug",
        "!ping",
        "error in raiser/botkit_message: plugin bug",
        "hello",
    ]


async def test_a_raising_command_is_reported(make_bot: MakeBot, client: FakeClient) -> None:
    source = (
        RECORDER
        + """
from botkit import command

@command("crash")
async def crash(ctx):
    raise KeyError("x")
"""
    )
    bot = make_bot(plugins={"recorder": source})
    await bot.handle(client.message("!crash"))
    await bot.handle(client.message("!ping"))
    recorder = bot.manager.plugins["recorder"].plugin
    assert "error in recorder/command crash: 'x'" in recorder.seen  # type: ignore[attr-defined]
    assert client.texts() == ["Sorry, !crash failed; the error is in the bot's log.", "pong"]


async def test_a_tryfirst_stop_keeps_the_message_from_commands(
    make_bot: MakeBot, client: FakeClient
) -> None:
    gate = """
    from botkit import Stop, hookimpl

    @hookimpl(tryfirst=True)
    def botkit_message(event):
        return Stop
    """
    bot = make_bot(plugins={"gate": gate})
    result = await bot.handle(client.message("!ping"))
    assert result is not None and result.stopped_by == "gate"
    assert client.texts() == []
    assert Stop.value == "stop"


async def test_bad_arguments_get_a_usage_message(make_bot: MakeBot, client: FakeClient) -> None:
    source = """
    from botkit import Arg, ArgType, command

    @command("remind", args=[Arg("time", ArgType.DURATION), Arg("text", ArgType.REST)])
    async def remind(ctx, time, text):
        await ctx.reply().text(f"in {int(time.total_seconds())}s: {text}").send()
    """
    bot = make_bot(plugins={"remind": source})
    await bot.handle(client.message("!remind soon buy milk"))
    await bot.handle(client.message("!remind 10m buy milk"))
    assert client.texts() == [
        "<time>: expected a duration like 10m, 2h or 1d, got 'soon'\nUsage: !remind <time> <text>",
        "in 600s: buy milk",
    ]


ADMIN_ONLY = """
from botkit import Arg, ArgType, Permission, command

@command("kick", args=[Arg("user", ArgType.USER)], permission=Permission.GROUP_ADMIN)
async def kick(ctx, user):
    await ctx.group.kick(user)
    await ctx.reply().text(f"bye @{user.user}").send()
"""


async def test_permissions_and_group_helpers(make_bot: MakeBot, client: FakeClient) -> None:
    admin_lid = JID("200000000009", "lid")
    client.link("15559990000", admin_lid)
    client.add_group(
        GROUP, "Demo", {admin_lid: ParticipantRole.ADMIN, MEMBER: ParticipantRole.MEMBER}
    )
    bot = make_bot(plugins={"admin": ADMIN_ONLY})
    await bot.handle(client.message(f"!kick @{MEMBER}", sender="15551112222", chat=GROUP))
    await bot.handle(
        client.message(f"!kick @{MEMBER}", sender="15559990000", chat=GROUP, mentions=[MEMBER])
    )
    assert client.texts() == ["!kick is only for group admins.", f"bye @{MEMBER}"]
    assert [p.jid for p in client.groups[JID.parse(GROUP)].participants] == [admin_lid]
    sent = client.sent[1].message
    assert sent.mentions == (JID(MEMBER, "s.whatsapp.net"),)  # type: ignore[union-attr]


async def test_owners_are_recognised_by_lid(make_bot: MakeBot, client: FakeClient) -> None:
    source = """
    from botkit import Permission, command

    @command("secret", permission=Permission.OWNER)
    async def secret(ctx):
        await ctx.reply().text("ok").send()
    """
    owner_lid = JID("200000000002", "lid")
    bot = make_bot(plugins={"secret": source})
    await bot.handle(client.message("!secret", sender=owner_lid, sender_alt=OWNER))
    assert client.texts() == ["ok"]


async def test_cooldowns(make_bot: MakeBot, client: FakeClient, clock: FakeClock) -> None:
    source = """
    from botkit import command

    @command("slow", cooldown=60)
    async def slow(ctx):
        await ctx.reply().text("done").send()
    """
    bot = make_bot(plugins={"slow": source})
    await bot.handle(client.message("!slow"))
    clock.now += 15
    await bot.handle(client.message("!slow"))
    clock.now += 45
    await bot.handle(client.message("!slow"))
    assert client.texts() == ["done", "Wait 45s before using !slow again.", "done"]


async def test_duplicate_message_ids_are_dropped(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    message = client.message("!ping", id="SAME")
    assert await bot.handle(message) is not None
    assert await bot.handle(message) is None
    assert client.texts() == ["pong"]


async def test_events_of_one_chat_are_handled_in_order(
    make_bot: MakeBot, client: FakeClient
) -> None:
    source = """
    import asyncio
    from botkit import hookimpl

    @hookimpl
    async def botkit_message(event, ctx):
        await asyncio.sleep(0.001 if event.text == "1" else 0)
        await ctx.reply().text(event.text).send()
    """
    bot = make_bot(plugins={"slowecho": source})
    for text in ("1", "2", "3"):
        bot.submit(client.message(text))
    await bot.drain()
    assert client.texts() == ["1", "2", "3"]


async def test_run_consumes_events_and_calls_lifecycle_hooks(
    make_bot: MakeBot, client: FakeClient
) -> None:
    source = """
    from botkit import hookimpl
    log = []

    @hookimpl
    def botkit_startup(event):
        log.append("start")

    @hookimpl
    async def botkit_group_participants(event, ctx):
        log.append(event.action.value)
        await ctx.reply().text("welcome").send()

    @hookimpl
    def botkit_shutdown(event):
        log.append("stop")
    """
    bot = make_bot(plugins={"life": source})
    client.push(client.message("!ping"))
    client.push(
        GroupParticipantsChanged(
            JID.parse(GROUP), ParticipantAction.ADDED, (JID(MEMBER, "s.whatsapp.net"),), 0.0
        )
    )
    client.close()
    await asyncio.wait_for(bot.run(), timeout=5)
    assert bot.manager.plugins["life"].plugin.log == ["start", "add", "stop"]  # type: ignore[attr-defined]
    assert sorted(client.texts()) == ["pong", "welcome"]


async def test_plugin_store_is_namespaced(
    make_bot: MakeBot, client: FakeClient, kv: MemoryKeyValueStore
) -> None:
    source = """
    from botkit import command

    @command("count")
    async def count(ctx):
        n = await ctx.store.get_json("n", 0) + 1
        await ctx.store.put_json("n", n)
        await ctx.reply().text(str(n)).send()
    """
    bot = make_bot(plugins={"counter": source})
    await bot.handle(client.message("!count"))
    await bot.handle(client.message("!count"))
    assert client.texts() == ["1", "2"]
    assert kv.values == {("plugin:counter", "n"): b"2"}


async def test_the_example_plugin_works_as_written(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot(enabled=["commands", str(REPO / "examples" / "echo_plugin.py")])
    await bot.handle(client.message("!echo hello   world"))
    thanks = client.message("thanks a lot!")
    await bot.handle(thanks)
    assert client.texts() == ["hello   world"]
    reaction = client.sent[1].message
    assert isinstance(reaction, ReactionMessage)
    assert (reaction.emoji, reaction.target.id) == ("❤️", thanks.id)


async def test_commands_from_the_bots_own_account_are_ignored(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot()
    await bot.handle(dataclasses.replace(client.message("!ping"), from_me=True))
    assert client.texts() == []


async def test_the_context_prefix_is_the_one_typed_else_the_first(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot()
    assert bot.context("commands").prefix == "!"
    await bot.handle(client.message("/help nosuch"))
    assert client.texts() == ["There is no command /nosuch. Try /help."]
