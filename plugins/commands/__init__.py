"""The built-in commands: ``help`` (from the command index), ``ping`` and ``about``; and for the
bot's owners ``plugins`` (what is loaded) and ``reload`` (re-read the config file)."""

from __future__ import annotations

import botkit
from botkit import Arg, ArgType, Context, Permission, command
from botkit.bot import format_duration
from botkit.errors import ConfigError, PluginError


@command(
    "help",
    aliases=["commands"],
    help="List the commands, or explain one",
    args=[Arg("name", ArgType.STR, optional=True, help="a command to explain")],
)
async def help_command(ctx: Context, name: str | None) -> None:
    prefix = ctx.prefix
    if name is None:
        listing = ctx.commands.help_text(prefix, await ctx.permission())
        await ctx.reply().text(f"Commands:\n{listing}").send()
        return
    found = ctx.commands.find(name.removeprefix(prefix))
    if found is None:
        await ctx.reply().text(f"There is no command {prefix}{name}. Try {prefix}help.").send()
        return
    await ctx.reply().text(found[1].describe(prefix)).send()


@command("ping", help="Check that the bot answers")
async def ping(ctx: Context) -> None:
    await ctx.reply().text("pong").send()


@command("about", aliases=["uptime"], help="What this bot is and how long it has been up")
async def about(ctx: Context) -> None:
    uptime = format_duration(ctx.uptime, " ")
    text = f"{ctx.bot.name}, a botkit {botkit.__version__} bot, up {uptime}."
    await ctx.reply().text(text).send()


@command("plugins", help="List the loaded plugins and their commands", permission=Permission.OWNER)
async def plugins(ctx: Context) -> None:
    prefix = ctx.prefix
    lines = [
        f"{info.name} ({info.origin}): "
        + (", ".join(prefix + name for name in info.commands) or "no commands")
        for info in ctx.control.plugin_infos()
    ]
    await ctx.reply().text("Plugins:\n" + "\n".join(lines)).send()


@command(
    "reload",
    help="Re-read the config file and apply the plugins' sections",
    permission=Permission.OWNER,
)
async def reload(ctx: Context) -> None:
    """Reload; errors name config values and paths, so in a group they go to the owner only."""
    try:
        summary = await ctx.control.reload()
    except (ConfigError, PluginError) as error:
        refusal = "Not reloaded; the running config stays."
        if ctx.chat is not None and ctx.chat.is_group and ctx.message is not None:
            await ctx.send(ctx.message.sender.to_non_ad()).text(f"{refusal}\n{error}").send()
            await ctx.reply().text(f"{refusal} I sent you the errors privately.").send()
            return
        summary = f"{refusal}\n{error}"
    await ctx.reply().text(summary).send()
