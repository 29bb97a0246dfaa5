"""The async rule: pluggy's order, awaited coroutines, Stop, and isolated plugin failures."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from botkit.bot import PluginManager, Stop, hookimpl
from botkit.bot.dispatch import Outcome, dispatch
from botkit.bot.runtime import HOOK_FOR_EVENT
from botkit.types import MessageReceived
from botkit.types.jid import JID

USER = JID("15551230001", "s.whatsapp.net")
EVENT = MessageReceived("ID1", USER, USER, 0.0, text="hi")


class Recorder:
    """A plugin whose message hook records its name in ``calls``."""

    def __init__(self, name: str, calls: list[str], result: Any = None) -> None:
        self.name, self.calls, self.result = name, calls, result

    @hookimpl
    async def botkit_message(self, event: MessageReceived) -> Any:
        self.calls.append(self.name)
        return self.result


class First(Recorder):
    @hookimpl(tryfirst=True)
    async def botkit_message(self, event: MessageReceived) -> Any:
        self.calls.append(self.name)
        return self.result


class Last(Recorder):
    @hookimpl(trylast=True)
    def botkit_message(self, event: MessageReceived) -> Any:  # a plain function works too
        self.calls.append(self.name)
        return self.result


class Raiser:
    @hookimpl
    async def botkit_message(self, event: MessageReceived) -> None:
        raise RuntimeError("boom")


class ErrorSink:
    def __init__(self) -> None:
        self.errors: list[tuple[str, str, Exception]] = []

    @hookimpl
    def botkit_plugin_error(self, plugin: str, hook: str, error: Exception) -> None:
        self.errors.append((plugin, hook, error))


def _context(plugin: str) -> str:
    return f"ctx of {plugin}"


@pytest.fixture
def manager() -> PluginManager:
    return PluginManager(entry_points=list)


async def test_order_is_tryfirst_then_latest_registered_then_trylast(
    manager: PluginManager,
) -> None:
    calls: list[str] = []
    manager.register(Last("last", calls), "last")
    manager.register(Recorder("early", calls), "early")
    manager.register(First("first", calls), "first")
    manager.register(Recorder("late", calls), "late")
    result = await dispatch(manager.hooks, "botkit_message", EVENT, _context)
    assert calls == ["first", "late", "early", "last"]
    assert result.outcome is Outcome.COMPLETED


async def test_stop_ends_propagation(manager: PluginManager) -> None:
    calls: list[str] = []
    manager.register(Recorder("after", calls), "after")
    manager.register(First("moderation", calls, Stop), "moderation")
    result = await dispatch(manager.hooks, "botkit_message", EVENT, _context)
    assert calls == ["moderation"]
    assert (result.outcome, result.stopped_by) == (Outcome.STOPPED, "moderation")


async def test_each_plugin_gets_its_own_context(manager: PluginManager) -> None:
    seen: list[object] = []

    class Plugin:
        @hookimpl
        def botkit_message(self, ctx: object) -> None:
            seen.append(ctx)

    manager.register(Plugin(), "mine")
    await dispatch(manager.hooks, "botkit_message", EVENT, _context)
    assert seen == ["ctx of mine"]


async def test_a_raising_plugin_is_reported_and_the_next_still_runs(
    manager: PluginManager, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []
    sink = ErrorSink()
    manager.register(sink, "sink")
    manager.register(Recorder("next", calls), "next")
    manager.register(Raiser(), "broken")
    with caplog.at_level(logging.ERROR):
        result = await dispatch(manager.hooks, "botkit_message", EVENT, _context)
    assert calls == ["next"]
    assert result.failed == ("broken",)
    [(plugin, hook, error)] = sink.errors
    assert (plugin, hook, str(error)) == ("broken", "botkit_message", "boom")
    assert "plugin 'broken' raised in botkit_message" in caplog.text


async def test_an_error_in_the_error_hook_is_only_logged(
    manager: PluginManager, caplog: pytest.LogCaptureFixture
) -> None:
    class BadSink:
        @hookimpl
        def botkit_plugin_error(self) -> None:
            raise ValueError("sink broke")

    manager.register(BadSink(), "badsink")
    manager.register(Raiser(), "broken")
    result = await dispatch(manager.hooks, "botkit_message", EVENT, _context)
    assert result.failed == ("broken",)
    assert "plugin 'badsink' raised in botkit_plugin_error" in caplog.text


def test_every_event_type_has_a_specified_hook(manager: PluginManager) -> None:
    for hook in HOOK_FOR_EVENT.values():
        assert getattr(manager.hooks, hook).has_spec(), hook


def test_every_event_hook_is_reached_by_an_event_type() -> None:
    from botkit.bot import hookspecs

    specified = {n for n in dir(hookspecs) if n.startswith("botkit_")}
    not_events = {"botkit_config_model", "botkit_plugin_error"}
    assert set(HOOK_FOR_EVENT.values()) == specified - not_events
