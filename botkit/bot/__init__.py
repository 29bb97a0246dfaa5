"""botkit.bot: the bot runtime — hooks, plugins, commands, context, builder, config, templates.

See ARCHITECTURE.md ("The bot runtime") and :mod:`botkit.bot.hookspecs` for the plugin contract.
"""

from botkit.bot.arguments import Arg, ArgType
from botkit.bot.builder import MessageBuilder
from botkit.bot.client_api import BotClient, GroupDirectory, IdentityResolver
from botkit.bot.commands import Command, CommandCall, Cooldown, CooldownScope, command
from botkit.bot.config import Config, CoreConfig, config_from_dict, load_config
from botkit.bot.context import Context, GroupTools
from botkit.bot.manager import PluginManager
from botkit.bot.markers import Propagation, Stop, hookimpl
from botkit.bot.permissions import Permission
from botkit.bot.plugin_store import PluginStore
from botkit.bot.runtime import Runtime

__all__ = [
    "Arg",
    "ArgType",
    "BotClient",
    "Command",
    "CommandCall",
    "Config",
    "Context",
    "Cooldown",
    "CooldownScope",
    "CoreConfig",
    "GroupDirectory",
    "GroupTools",
    "IdentityResolver",
    "MessageBuilder",
    "Permission",
    "PluginManager",
    "PluginStore",
    "Propagation",
    "Runtime",
    "Stop",
    "command",
    "config_from_dict",
    "hookimpl",
    "load_config",
]
