"""The plugin contract: every hook a botkit plugin may implement.

A plugin is a module (or object) with functions marked ``@hookimpl`` and named after these specs.
An implementation may take any subset of a hook's parameters, in any order, and may be a plain
function or a coroutine function; the runtime awaits coroutines itself (see
:mod:`botkit.bot.dispatch`).

Rules that hold for every event hook:

* Implementations run one after another in pluggy's order: ``tryfirst`` ones first, then the
  rest, latest registered first, then ``trylast`` ones.
* Returning :data:`~botkit.bot.markers.Stop` ends propagation: the plugins after yours do not see
  the event. Any other return value is ignored.
* An exception is logged with your plugin's name and passed to :func:`botkit_plugin_error`; the
  next plugin still runs.
* ``ctx`` is your plugin's own :class:`~botkit.bot.context.Context`: your config, your key-value
  namespace, your templates. Reply through it; never keep it after the hook returns.

No hook is ``firstresult`` or ``historic``: the runtime walks the implementations itself, and all
plugins are registered before :func:`botkit_startup`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botkit.bot.markers import hookspec

if TYPE_CHECKING:
    from pydantic import BaseModel

    from botkit.bot.context import Context
    from botkit.bot.markers import Propagation
    from botkit.types.events import (
        BotStarted,
        BotStopped,
        ChatStateChanged,
        ConfigReloaded,
        Connected,
        Disconnected,
        Event,
        GroupInfoChanged,
        GroupJoined,
        GroupParticipantsChanged,
        IdentityChanged,
        MessageEdited,
        MessageReceived,
        MessageRevoked,
        PresenceChanged,
        ReactionReceived,
        ReceiptReceived,
        UndecryptableMessage,
    )

# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@hookspec
def botkit_config_model() -> type[BaseModel] | None:
    """Return the pydantic model of this plugin's config section, or ``None`` for no config.

    Called once per plugin while loading, before :func:`botkit_startup`. The section named after
    the plugin in the YAML file is validated against the model (errors name the file, line and
    field); the validated value is ``ctx.config``. Without a section, the model's defaults apply.
    """


# --------------------------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------------------------


@hookspec
def botkit_startup(event: BotStarted, ctx: Context) -> None:
    """Called once when the bot starts, after every plugin was loaded and configured.

    Set up what your plugin needs (schedules, caches). Sending is possible once connected.
    """


@hookspec
def botkit_shutdown(event: BotStopped, ctx: Context) -> None:
    """Called once when the bot stops; release what :func:`botkit_startup` set up."""


@hookspec
def botkit_config_reloaded(event: ConfigReloaded, ctx: Context) -> None:
    """Called after an owner reloaded the config file (``!reload``); ``ctx.config`` is the new one.

    Re-apply what your plugin derived from its config (schedules, compiled patterns). Only the
    plugins' sections are reloaded; core sections and ``plugins.enabled`` need a restart.
    """


@hookspec
def botkit_connected(event: Connected, ctx: Context) -> Propagation | None:
    """Called each time the client is connected and logged in (again)."""


@hookspec
def botkit_disconnected(event: Disconnected, ctx: Context) -> Propagation | None:
    """Called when the connection ends; ``event.reason`` says whether the client reconnects."""


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------


@hookspec
def botkit_message(event: MessageReceived, ctx: Context) -> Propagation | None:
    """Called for each new message (duplicates are dropped before plugins see them).

    Commands are matched by a built-in ``trylast`` implementation of this hook, so a
    ``tryfirst`` plugin (moderation) can return ``Stop`` to keep a message from commands.
    """


@hookspec
def botkit_undecryptable(event: UndecryptableMessage, ctx: Context) -> Propagation | None:
    """Called when a message arrived that could not be decrypted (the client asked for a retry)."""


@hookspec
def botkit_reaction(event: ReactionReceived, ctx: Context) -> Propagation | None:
    """Called when someone reacts to a message, or removes a reaction (empty ``emoji``)."""


@hookspec
def botkit_message_revoked(event: MessageRevoked, ctx: Context) -> Propagation | None:
    """Called when a message was deleted for everyone (``event.by_admin``: by a group admin)."""


@hookspec
def botkit_message_edited(event: MessageEdited, ctx: Context) -> Propagation | None:
    """Called when the author of a message replaced its text."""


@hookspec
def botkit_receipt(event: ReceiptReceived, ctx: Context) -> Propagation | None:
    """Called when messages the bot sent were delivered, read or played."""


# --------------------------------------------------------------------------------------------
# Groups and presence
# --------------------------------------------------------------------------------------------


@hookspec
def botkit_group_participants(event: GroupParticipantsChanged, ctx: Context) -> Propagation | None:
    """Called when participants join, leave, are removed, promoted or demoted."""


@hookspec
def botkit_group_info(event: GroupInfoChanged, ctx: Context) -> Propagation | None:
    """Called when a group's subject, description or settings change."""


@hookspec
def botkit_group_joined(event: GroupJoined, ctx: Context) -> Propagation | None:
    """Called when the bot became a member of a group (created, added, or joined by link)."""


@hookspec
def botkit_presence(event: PresenceChanged, ctx: Context) -> Propagation | None:
    """Called when a contact the bot subscribed to comes online or goes offline."""


@hookspec
def botkit_chat_state(event: ChatStateChanged, ctx: Context) -> Propagation | None:
    """Called when someone starts or stops typing (or recording) in a chat with the bot."""


# --------------------------------------------------------------------------------------------
# Identities
# --------------------------------------------------------------------------------------------


@hookspec
def botkit_identity_changed(event: IdentityChanged, ctx: Context) -> Propagation | None:
    """Called when ``event.user``'s identity key changed: their phone was registered again.

    The client already dropped its sessions with them (by phone number and by LID); the next
    message either way starts a new one, so nothing needs repairing. Implement this to react to
    the change of trust: tell the owners, or ask the user to confirm who they are. ``ctx.chat``
    is the user's own chat, so ``ctx.reply()`` writes to them.
    """


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@hookspec
def botkit_plugin_error(plugin: str, hook: str, event: Event | None, error: Exception) -> None:
    """Called when plugin ``plugin`` raised ``error`` in hook ``hook`` while handling ``event``.

    A scheduled job that raised is reported with ``hook`` ``"scheduled job <id>"`` and ``event``
    ``None``.

    Report it (a chat to the owners, a metrics counter). An exception raised here is only logged;
    it is never reported through this hook again.
    """
