"""The ``ctx`` every hook and command receives: how a plugin answers, stores and looks things up.

A Context is built per plugin and per event. Its attributes are typed (no dict bag): the plugin's
own config, key-value store and templates, the message being handled, and the bot's services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pydantic import BaseModel

from botkit.bot.builder import MessageBuilder, MessageSender, message_ref
from botkit.bot.client_api import BotClient
from botkit.bot.commands import CommandCall, CommandIndex
from botkit.bot.permissions import Permission, PermissionPolicy
from botkit.bot.plugin_scheduler import PluginScheduler
from botkit.bot.plugin_store import PluginStore
from botkit.bot.scheduling import Scheduling
from botkit.bot.templates import PluginTemplates
from botkit.errors import PluginError
from botkit.types.events import MessageReceived, ParticipantAction
from botkit.types.group import GroupInfo, GroupSetting
from botkit.types.jid import JID
from botkit.types.message import MessageRef

__all__ = [
    "BotControl",
    "BotInfo",
    "BotServices",
    "Context",
    "GroupTools",
    "PluginInfo",
    "PluginResources",
]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class BotInfo:
    """The bot as configured: its name, command prefixes, and when it started (epoch seconds)."""

    name: str
    prefixes: tuple[str, ...]
    started_at: float


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """A loaded plugin as the owners see it: its name, where it came from, its command names."""

    name: str
    origin: str
    commands: tuple[str, ...]


class BotControl(Protocol):
    """Owner-level control of the running bot (the runtime implements it)."""

    def plugin_infos(self) -> list[PluginInfo]:
        """Return the loaded plugins in load order."""
        ...

    async def reload(self) -> str:
        """Re-read the config file and apply the plugins' sections; return a summary.

        Raises ConfigError (the old config stays in force) when the file is invalid.
        """
        ...


@dataclass(frozen=True, slots=True)
class BotServices:
    """What every Context of a runtime shares (built once by the runtime)."""

    client: BotClient
    sender: MessageSender
    policy: PermissionPolicy
    commands: CommandIndex
    info: BotInfo
    wall_clock: Callable[[], float]
    scheduling: Scheduling
    control: BotControl


@dataclass(frozen=True, slots=True)
class PluginResources:
    """What belongs to one plugin: its name, validated config, store namespace and templates."""

    name: str
    config: BaseModel | None
    store: PluginStore
    templates: PluginTemplates


class GroupTools:
    """Admin actions and checks on one group (the bot must be an admin to change anything).

    Actions raise ClientError when the server refuses them.
    """

    def __init__(self, services: BotServices, group: JID) -> None:
        if not group.is_group:
            raise PluginError(f"{group} is not a group")
        self.jid = group
        self._services = services

    async def info(self) -> GroupInfo:
        """Return the group's metadata (from the client's cache when fresh)."""
        return await self._services.client.group_info(self.jid)

    async def add(self, *users: JID) -> None:
        """Add ``users`` to the group."""
        await self._participants(users, ParticipantAction.ADDED)

    async def kick(self, *users: JID) -> None:
        """Remove ``users`` from the group."""
        await self._participants(users, ParticipantAction.REMOVED)

    async def promote(self, *users: JID) -> None:
        """Make ``users`` admins."""
        await self._participants(users, ParticipantAction.PROMOTED)

    async def demote(self, *users: JID) -> None:
        """Make ``users`` plain members."""
        await self._participants(users, ParticipantAction.DEMOTED)

    async def set_setting(self, setting: GroupSetting, enabled: bool) -> None:
        """Switch ``setting`` (only admins send / only admins edit info) on or off."""
        await self._services.client.set_group_setting(self.jid, setting, enabled)

    async def invite_code(self) -> str:
        """Return the code of the group's invite link (admins only: else ClientError)."""
        return await self._services.client.group_invite_code(self.jid)

    async def is_admin(self, user: JID, alt: JID | None = None) -> bool:
        """Return whether ``user`` (by phone number or LID) is an admin of the group."""
        return await self._services.policy.is_group_admin(self.jid, user, alt)

    async def bot_is_admin(self) -> bool:
        """Return whether the bot itself is an admin of the group."""
        own = self._services.client.own_jid
        return own is not None and await self.is_admin(own)

    async def _participants(self, users: Sequence[JID], action: ParticipantAction) -> None:
        if users:
            await self._services.client.update_group_participants(self.jid, users, action)


@dataclass(frozen=True, slots=True)
class Context:
    """A plugin's handle on the bot while it handles one event.

    ``chat`` is the chat the event happened in (``None`` for events without one), ``message`` the
    message being handled, ``command`` how a command was invoked (inside command handlers).
    """

    services: BotServices
    resources: PluginResources
    chat: JID | None = None
    message: MessageReceived | None = None
    command: CommandCall | None = None

    @property
    def plugin(self) -> str:
        """The name of the plugin this context belongs to."""
        return self.resources.name

    @property
    def config(self) -> BaseModel | None:
        """The plugin's validated config (``None`` if it declares no model)."""
        return self.resources.config

    @property
    def store(self) -> PluginStore:
        """The plugin's own key-value namespace."""
        return self.resources.store

    @property
    def templates(self) -> PluginTemplates:
        """Templates, looked up as ``<plugin>/<name>`` first (user files override defaults)."""
        return self.resources.templates

    @property
    def scheduler(self) -> PluginScheduler:
        """The plugin's scheduled jobs (see :mod:`botkit.bot.scheduling`)."""
        return PluginScheduler(self.services.scheduling, self.plugin)

    @property
    def control(self) -> BotControl:
        """List plugins and reload the config (for owner-only commands)."""
        return self.services.control

    @property
    def commands(self) -> CommandIndex:
        """Every command of every plugin (for help)."""
        return self.services.commands

    @property
    def bot(self) -> BotInfo:
        """The bot's name, prefixes and start time."""
        return self.services.info

    @property
    def prefix(self) -> str:
        """The prefix the command was typed with, else the bot's first prefix (for usage lines)."""
        return self.command.prefix if self.command is not None else self.services.info.prefixes[0]

    @property
    def own_jid(self) -> JID | None:
        """The bot's own JID, or ``None`` before it is logged in."""
        return self.services.client.own_jid

    @property
    def group(self) -> GroupTools | None:
        """Tools for the current chat if it is a group, else ``None``."""
        if self.chat is None or not self.chat.is_group:
            return None
        return GroupTools(self.services, self.chat)

    def groups(self, group: JID | str) -> GroupTools:
        """Return tools for any group. Raises PluginError if ``group`` is not a group JID."""
        return GroupTools(self.services, _jid(group))

    async def joined_groups(self) -> list[GroupInfo]:
        """Return the metadata of every group the bot is in. Raises ClientError on failure."""
        return await self.services.client.joined_groups()

    def config_as(self, model: type[M]) -> M:
        """Return the plugin's config typed as ``model``. Raises PluginError if it is not one."""
        if not isinstance(self.config, model):
            raise PluginError(f"plugin {self.plugin!r} has no {model.__name__} config")
        return self.config

    def reply(self) -> MessageBuilder:
        """Return a builder for a message to the current chat (reactions target the message).

        Raises PluginError for events that happened in no chat.
        """
        if self.chat is None:
            raise PluginError("reply() needs an event that happened in a chat; use send(to)")
        origin = message_ref(self.message) if self.message is not None else None
        return self._builder(self.chat, origin)

    def send(self, to: JID | str) -> MessageBuilder:
        """Return a builder for a message to ``to`` (a JID or its string form).

        Raises DecodeError when ``to`` is a string that is not a JID.
        """
        return self._builder(_jid(to), None)

    async def permission(self, user: JID | None = None) -> Permission:
        """Return the permission level of ``user`` (default: the message's sender) in this chat."""
        alt = None
        if user is None:
            if self.message is None:
                raise PluginError("permission() needs a user outside of message events")
            user, alt = self.message.sender, self.message.sender_alt
        chat = self.chat if self.chat is not None else user
        return await self.services.policy.level(user, chat, alt)

    def now(self) -> dt.datetime:
        """Return the current time (UTC, from the runtime's clock)."""
        return dt.datetime.fromtimestamp(self.services.wall_clock(), dt.UTC)

    @property
    def uptime(self) -> dt.timedelta:
        """How long the bot has been running."""
        return dt.timedelta(seconds=self.services.wall_clock() - self.services.info.started_at)

    def _builder(self, to: JID, origin: MessageRef | None) -> MessageBuilder:
        templates = self.resources.templates
        return MessageBuilder(
            sender=self.services.sender,
            to=to,
            render=lambda name, variables: templates.render(name, **variables),
            origin=origin,
        )


def _jid(value: JID | str) -> JID:
    return value if isinstance(value, JID) else JID.parse(value)
