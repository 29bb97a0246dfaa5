"""The built-in plugin that turns messages into command calls.

It implements ``botkit_message`` as ``trylast``, so ordinary plugins see a message first and a
``tryfirst`` plugin (moderation) can ``Stop`` it before any command runs. For a known command it
checks the sender's permission, parses the arguments, applies the cooldown, and calls the handler
with the owning plugin's Context; it then returns ``Stop``. A handler that raises is reported
like a failing hook, and the sender is told that the command failed (without the details).
Unknown commands are left alone (other bots may share the chat), and so are messages from the
bot's own account (no reply loops).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import pluggy

from botkit.bot.arguments import BadArguments, parse_arguments
from botkit.bot.commands import CommandCall, CommandIndex, CooldownTracker, split_command
from botkit.bot.context import Context
from botkit.bot.dispatch import report_error
from botkit.bot.markers import Propagation, Stop, hookimpl
from botkit.bot.permissions import PermissionPolicy
from botkit.errors import ClientError
from botkit.types.events import MessageReceived
from botkit.types.jid import JID

__all__ = ["ROUTER_NAME", "CommandRouter"]

ROUTER_NAME = "command-router"

log = logging.getLogger(__name__)

CommandContextFactory = Callable[[str, MessageReceived, CommandCall], Context]


class CommandRouter:
    """Matches ``<prefix><command> <arguments>`` and runs the command."""

    def __init__(
        self,
        index: CommandIndex,
        prefixes: Sequence[str],
        policy: PermissionPolicy,
        cooldowns: CooldownTracker,
        context_for: CommandContextFactory,
        hooks: pluggy.HookRelay,
    ) -> None:
        self._index = index
        self._prefixes = tuple(prefixes)
        self._policy = policy
        self._cooldowns = cooldowns
        self._context_for = context_for
        self._hooks = hooks

    @hookimpl(trylast=True)
    async def botkit_message(self, event: MessageReceived) -> Propagation | None:
        """Run the command in ``event``; return Stop if it was one, else ``None``."""
        if event.from_me or not event.text:
            return None
        parts = split_command(event.text.strip(), self._prefixes)
        found = self._index.find(parts[1]) if parts is not None else None
        if parts is None or found is None:
            return None
        prefix, word, rest = parts
        plugin, cmd = found
        ctx = self._context_for(plugin, event, CommandCall(cmd.name, word, prefix, rest))
        ids = await self._policy.identities(event.sender, event.sender_alt)
        if await self._policy.level_for(ids, event.chat) < cmd.permission:
            await ctx.reply().text(f"{prefix}{cmd.name} is only for {cmd.permission.who}.").send()
            return Stop
        try:
            arguments = parse_arguments(cmd.args, rest, event.mentions)
        except BadArguments as error:
            await ctx.reply().text(f"{error}\nUsage: {cmd.usage(prefix)}").send()
            return Stop
        wait = self._cooldowns.use(cmd, _canonical(ids), event.chat)
        if wait > 0:
            seconds = math.ceil(wait)
            await ctx.reply().text(f"Wait {seconds}s before using {prefix}{cmd.name} again.").send()
            return Stop
        try:
            await cmd.handler(ctx, **arguments)
        except Exception as error:
            await report_error(self._hooks, plugin, f"command {cmd.name}", event, error)
            await _apologise(ctx, f"{prefix}{cmd.name}")
        return Stop


async def _apologise(ctx: Context, name: str) -> None:
    """Tell the sender that command ``name`` failed (the details stay in the log)."""
    try:
        await ctx.reply().text(f"Sorry, {name} failed; the error is in the bot's log.").send()
    except ClientError as error:
        log.warning("could not tell the sender that %s failed: %s", name, error)


def _canonical(ids: tuple[JID, ...]) -> JID:
    """Return the phone-number identity if known, so a cooldown follows the person."""
    return next((jid for jid in ids if jid.is_pn), ids[0])
