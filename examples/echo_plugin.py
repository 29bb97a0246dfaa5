"""A small botkit plugin, as in PRODUCT.md: a command, and a hook on every message.

Enable it with ``plugins: {enabled: [commands, ./examples/echo_plugin.py]}``; then ``!echo hi``
answers ``hi`` and a message saying "thanks" gets a heart.
"""

from botkit import Arg, ArgType, Context, command, hookimpl
from botkit.types import MessageReceived


@command("echo", help="Say it back", args=[Arg("text", ArgType.REST)])
async def echo(ctx: Context, text: str) -> None:
    await ctx.reply().text(text).send()


@hookimpl
async def botkit_message(event: MessageReceived, ctx: Context) -> None:
    if event.text and "thanks" in event.text.lower():
        await ctx.reply().react("❤️").send()
