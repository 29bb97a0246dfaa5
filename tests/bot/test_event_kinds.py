"""The runtime hands revokes, edits, chat states and joined groups to their hooks."""

from __future__ import annotations

from botkit.testing import FakeClient
from botkit.types import (
    ChatState,
    ChatStateChanged,
    GroupInfo,
    GroupJoined,
    MessageEdited,
    MessageRevoked,
)
from botkit.types.jid import JID

from .conftest import MakeBot

GROUP = JID("120363000000000001", "g.us")
ADMIN = JID("15551230001", "s.whatsapp.net")
MEMBER = JID("15551230002", "s.whatsapp.net")

PLUGIN = """
from botkit import hookimpl
log = []

@hookimpl
async def botkit_message_revoked(event, ctx):
    log.append(("revoked", event.message_id, event.by_admin))
    await ctx.reply().text("deleted").send()

@hookimpl
def botkit_message_edited(event):
    log.append(("edited", event.message_id, event.text))

@hookimpl
def botkit_chat_state(event):
    log.append(("typing", event.state.value))

@hookimpl
def botkit_group_joined(event):
    log.append(("joined", event.info.subject))
"""


async def test_each_new_kind_reaches_its_hook_with_the_chat_as_context(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(plugins={"kinds": PLUGIN})
    await bot.handle(MessageRevoked(GROUP, ADMIN, "3EB0M1", 1.0, author=MEMBER))
    await bot.handle(MessageEdited(GROUP, MEMBER, "3EB0M2", "fixed", 2.0))
    await bot.handle(ChatStateChanged(GROUP, MEMBER, ChatState.COMPOSING))
    await bot.handle(GroupJoined(GROUP, GroupInfo(GROUP, "Team"), 3.0, ADMIN))
    assert bot.manager.plugins["kinds"].plugin.log == [  # type: ignore[attr-defined]
        ("revoked", "3EB0M1", True),
        ("edited", "3EB0M2", "fixed"),
        ("typing", "composing"),
        ("joined", "Team"),
    ]
    assert client.texts(GROUP) == ["deleted"]
