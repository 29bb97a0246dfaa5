"""The runtime: owns the plugins and the client, turns incoming events into hook calls.

Events of one chat are handled in arrival order; different chats are handled concurrently.
A message id seen again (redelivery) is dropped before any plugin sees it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import random
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from pathlib import Path

from botkit.bot import hookspecs
from botkit.bot.client_api import BotClient
from botkit.bot.commands import CommandCall, CooldownTracker
from botkit.bot.config import Config, load_config
from botkit.bot.context import BotInfo, BotServices, Context, PluginInfo, PluginResources
from botkit.bot.dispatch import DispatchResult, dispatch, report_error
from botkit.bot.manager import PluginManager
from botkit.bot.permissions import PermissionPolicy
from botkit.bot.plugin_store import PluginStore
from botkit.bot.ratelimit import OutboundLimiter, RateLimitedSender, RateLimits
from botkit.bot.router import ROUTER_NAME, CommandRouter
from botkit.bot.scheduling import Scheduling
from botkit.bot.templates import PluginTemplates, TemplateEngine
from botkit.errors import ConfigError
from botkit.store.base import KeyValueStore
from botkit.types import events
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
    ReactionReceived,
    ReceiptReceived,
    UndecryptableMessage,
)
from botkit.types.jid import JID

__all__ = ["HOOK_FOR_EVENT", "Runtime"]

log = logging.getLogger(__name__)


def _hooks_by_event() -> dict[type, str]:
    """Map each event type to the hook that takes it, as :mod:`botkit.bot.hookspecs` declares.

    A hook's ``event`` parameter names one event type of :mod:`botkit.types.events`;
    ``botkit_plugin_error`` (``Event | None``) names none and is left out.
    """
    hooks: dict[type, str] = {}
    for name in dir(hookspecs):
        if name.startswith("botkit_"):
            annotation = inspect.get_annotations(getattr(hookspecs, name)).get("event")
            kind = getattr(events, annotation, None) if isinstance(annotation, str) else None
            if isinstance(kind, type):
                hooks[kind] = name
    return hooks


HOOK_FOR_EVENT: dict[type, str] = _hooks_by_event()

_SEEN_MESSAGES = 4096


class Runtime:
    """A bot: plugins from ``config`` on top of ``client``, plugin data in ``store``.

    ``clock`` (monotonic seconds), ``wall_clock`` (epoch seconds), ``sleep`` and ``rng`` are
    injectable so tests run without waiting. ``load`` re-reads the configuration for
    :meth:`reload` (default: the file ``config`` was loaded from). Construction loads the
    plugins; it raises PluginError or ConfigError when they cannot be loaded or configured.

    The runtime owns the scheduler behind ``ctx.scheduler``: started with the runtime, firing
    only while the client is connected, shut down when the runtime stops.
    """

    def __init__(
        self,
        client: BotClient,
        config: Config,
        store: KeyValueStore,
        *,
        manager: PluginManager | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        load: Callable[[], Config] | None = None,
    ) -> None:
        self.client = client
        self.config = config
        self._load = load or _reader(config)
        self.manager = manager or PluginManager()
        self.manager.load_all(config)
        bot = config.core.bot
        limits = bot.rate_limit
        limiter = OutboundLimiter(
            RateLimits(
                limits.messages_per_minute,
                limits.per_chat_per_minute,
                limits.jitter_ms,
                limits.typing,
            ),
            clock=clock,
            sleep=sleep,
            rng=rng,
            typing=client.send_chat_state,
        )
        policy = PermissionPolicy(bot.owners, bot.admins, client, client)
        self.services = BotServices(
            client=client,
            sender=RateLimitedSender(client, limiter),
            policy=policy,
            commands=self.manager.commands,
            info=BotInfo(bot.name, tuple(bot.prefixes), wall_clock()),
            wall_clock=wall_clock,
            scheduling=Scheduling(
                store,
                timezone=bot.timezone,
                wall_clock=wall_clock,
                context_for=lambda plugin: self.context(plugin),
                report=self._report_job_error,
            ),
            control=self,
        )
        router = CommandRouter(
            self.manager.commands,
            bot.prefixes,
            policy,
            CooldownTracker(clock),
            self._command_context,
            self.manager.hooks,
        )
        self.manager.register(router, ROUTER_NAME)
        self._resources = self._build_resources(store)
        self._seen: OrderedDict[tuple[JID, JID, str], None] = OrderedDict()
        self._queues: dict[JID | None, deque[Event]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._started = False
        self._stopped = False

    async def start(self) -> None:
        """Tell every plugin the bot started (``botkit_startup``); idempotent."""
        if not self._started:
            self._started = True
            self.services.scheduling.start()
            await self.handle(BotStarted(self.services.wall_clock()))

    async def stop(self, reason: str = "") -> None:
        """Finish queued events, then tell every plugin the bot stops (``botkit_shutdown``)."""
        if self._stopped:
            return
        self._stopped = True
        await self.services.scheduling.shutdown()
        await self.drain()
        await self.handle(BotStopped(self.services.wall_clock(), reason))

    async def run(self) -> None:
        """Start, handle the client's events until their stream ends, then stop."""
        await self.start()
        try:
            async for event in self.client.events():
                self.submit(event)
        finally:
            await self.stop("the client closed")

    def submit(self, event: Event) -> None:
        """Queue ``event``: handled after earlier events of its chat, concurrently with others."""
        key = _chat_of(event)
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(event)
            return
        self._queues[key] = deque([event])
        task = asyncio.create_task(self._drain_chat(key))
        self._workers.add(task)
        task.add_done_callback(self._workers.discard)

    async def drain(self) -> None:
        """Wait until every submitted event was handled."""
        while self._workers:
            await asyncio.gather(*self._workers)

    async def handle(self, event: Event) -> DispatchResult | None:
        """Dispatch ``event`` to its hook now; return the result.

        Returns ``None`` for a duplicate message or an event no hook takes (pairing events).
        """
        if isinstance(event, MessageReceived) and self._is_duplicate(event):
            log.debug("dropped duplicate message %s from %s", event.id, event.sender)
            return None
        if isinstance(event, Connected):
            self.services.scheduling.resume()
        elif isinstance(event, Disconnected):
            self.services.scheduling.pause()
        hook = HOOK_FOR_EVENT.get(type(event))
        if hook is None:
            log.debug("no hook for %s", type(event).__name__)
            return None
        chat = _chat_of(event)
        message = event if isinstance(event, MessageReceived) else None
        return await dispatch(
            self.manager.hooks,
            hook,
            event,
            lambda plugin: self.context(plugin, chat, message),
        )

    def context(
        self,
        plugin: str,
        chat: JID | None = None,
        message: MessageReceived | None = None,
        command: CommandCall | None = None,
    ) -> Context:
        """Return the Context of ``plugin`` for an event in ``chat``."""
        return Context(self.services, self._resources[plugin], chat, message, command)

    def plugin_infos(self) -> list[PluginInfo]:
        """Return the loaded plugins in load order (the command router left out)."""
        return [
            PluginInfo(name, loaded.origin, tuple(cmd.name for cmd in loaded.commands))
            for name, loaded in self.manager.plugins.items()
            if name != ROUTER_NAME
        ]

    async def reload(self) -> str:
        """Re-read the config, revalidate every plugin's section and apply them; return a summary.

        Plugins are told through ``botkit_config_reloaded``. Core sections and ``plugins.enabled``
        take effect only after a restart (the summary says so when they changed). Raises
        ConfigError or PluginError, keeping the old config, when the new one is invalid.
        """
        config = self._load()
        configs = self.manager.configure(config)
        self._resources = {
            name: dataclasses.replace(resources, config=configs.get(name, resources.config))
            for name, resources in self._resources.items()
        }
        sections = sorted(name for name, section in configs.items() if section is not None)
        applied = ", ".join(sections) or "none"
        notes = [f"Reloaded {config.source.file}; plugin sections applied: {applied}."]
        if config.core != self.config.core:
            notes.append("Changes to the core sections take effect after a restart.")
        self.config = dataclasses.replace(config, core=self.config.core)
        await self.handle(ConfigReloaded(self.services.wall_clock()))
        return "\n".join(notes)

    async def _report_job_error(self, plugin: str, job_id: str, error: Exception) -> None:
        await report_error(self.manager.hooks, plugin, f"scheduled job {job_id}", None, error)

    def _command_context(self, plugin: str, event: MessageReceived, call: CommandCall) -> Context:
        return self.context(plugin, event.chat, event, call)

    async def _drain_chat(self, key: JID | None) -> None:
        queue = self._queues[key]
        try:
            while queue:
                event = queue.popleft()
                try:
                    await self.handle(event)
                except Exception:  # a runtime bug must not stall the chat's later events
                    log.exception("handling %s failed", type(event).__name__)
        finally:
            del self._queues[key]

    def _is_duplicate(self, event: MessageReceived) -> bool:
        key = (event.chat, event.sender.to_non_ad(), event.id)
        if key in self._seen:
            return True
        self._seen[key] = None
        if len(self._seen) > _SEEN_MESSAGES:
            self._seen.popitem(last=False)
        return False

    def _build_resources(self, store: KeyValueStore) -> dict[str, PluginResources]:
        bot = self.config.core.bot
        plugins = self.manager.plugins
        engine = TemplateEngine(
            _existing(self.config.resolve(bot.templates)),
            {name: p.templates_dir for name, p in plugins.items() if p.templates_dir is not None},
            bot.timezone,
        )
        return {
            name: PluginResources(
                name, loaded.config, PluginStore(store, name), PluginTemplates(engine, name)
            )
            for name, loaded in plugins.items()
        }


def _chat_of(event: Event) -> JID | None:
    if isinstance(
        event,
        MessageReceived
        | ReceiptReceived
        | ReactionReceived
        | UndecryptableMessage
        | MessageRevoked
        | MessageEdited
        | ChatStateChanged,
    ):
        return event.chat
    if isinstance(event, GroupParticipantsChanged | GroupInfoChanged | GroupJoined):
        return event.group
    if isinstance(event, IdentityChanged):
        return event.user
    return None


def _reader(config: Config) -> Callable[[], Config]:
    """Return a function that loads ``config``'s file again (ConfigError when it has none)."""
    path = Path(config.source.file)

    def read() -> Config:
        if not path.is_file():
            raise ConfigError(f"{config.source.file}: this bot was not started from a config file")
        return load_config(path)

    return read


def _existing(path: Path) -> Path | None:
    return path if path.is_dir() else None
