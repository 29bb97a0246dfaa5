"""botkit.bot: the bot runtime — hooks, plugins, commands, context, builder, config, templates,
and the scheduler behind ``ctx.scheduler`` (its triggers and job view).

See ARCHITECTURE.md ("The bot runtime") and :mod:`botkit.bot.hookspecs` for the plugin contract.
"""

from botkit.bot.arguments import Arg, ArgType, format_duration, next_token, parse_duration
from botkit.bot.builder import MessageBuilder
from botkit.bot.client_api import BotClient, GroupDirectory, IdentityResolver
from botkit.bot.commands import Command, CommandCall, Cooldown, CooldownScope, command
from botkit.bot.config import Config, CoreConfig, UserId, config_from_dict, load_config
from botkit.bot.context import Context, GroupTools
from botkit.bot.manager import PluginManager
from botkit.bot.markers import Propagation, Stop, hookimpl
from botkit.bot.permissions import Permission
from botkit.bot.plugin_scheduler import PluginScheduler
from botkit.bot.plugin_store import PluginStore
from botkit.bot.runtime import Runtime
from botkit.bot.scheduling import ScheduledJob
from botkit.bot.triggers import (
    At,
    Cron,
    Every,
    Trigger,
    describe_trigger,
    parse_cron,
    parse_zone,
)

__all__ = [
    "Arg",
    "ArgType",
    "At",
    "BotClient",
    "Command",
    "CommandCall",
    "Config",
    "Context",
    "Cooldown",
    "CooldownScope",
    "CoreConfig",
    "Cron",
    "Every",
    "GroupDirectory",
    "GroupTools",
    "IdentityResolver",
    "MessageBuilder",
    "Permission",
    "PluginManager",
    "PluginScheduler",
    "PluginStore",
    "Propagation",
    "Runtime",
    "ScheduledJob",
    "Stop",
    "Trigger",
    "UserId",
    "command",
    "config_from_dict",
    "describe_trigger",
    "format_duration",
    "hookimpl",
    "load_config",
    "next_token",
    "parse_cron",
    "parse_duration",
    "parse_zone",
]
