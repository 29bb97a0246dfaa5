"""The async rule: pluggy orders and validates hook implementations, the runtime calls them.

:func:`dispatch` walks ``hook.get_hookimpls()`` in the order pluggy would call them, awaits any
awaitable result, stops at :data:`~botkit.bot.markers.Stop`, and isolates plugin failures: an
exception is logged with the plugin's name, reported through ``botkit_plugin_error``, and the next
plugin still runs.
"""

from __future__ import annotations

import enum
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pluggy

from botkit.bot.markers import Propagation

__all__ = ["DispatchResult", "Outcome", "call_impl", "dispatch", "ordered_impls", "report_error"]

log = logging.getLogger(__name__)

ContextFactory = Callable[[str], object]
"""Builds the ``ctx`` argument for the plugin of that name."""


class Outcome(enum.Enum):
    """How a dispatch ended."""

    COMPLETED = "completed"  # every implementation ran
    STOPPED = "stopped"  # an implementation returned Stop


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """The outcome of one dispatch, the plugin that stopped it, and the plugins that raised."""

    outcome: Outcome
    stopped_by: str | None = None
    failed: tuple[str, ...] = ()


def ordered_impls(hook: pluggy.HookCaller) -> list[pluggy.HookImpl]:
    """Return the implementations of ``hook`` in call order (pluggy stores them reversed)."""
    return list(reversed(hook.get_hookimpls()))


async def call_impl(impl: pluggy.HookImpl, arguments: Mapping[str, Any]) -> Any:
    """Call ``impl`` with the arguments it names, awaiting the result if it is awaitable.

    Returns what the implementation returned. Raises what the implementation raised.
    """
    result = impl.function(*(arguments[name] for name in impl.argnames))
    if inspect.isawaitable(result):
        result = await result
    return result


async def dispatch(
    hooks: pluggy.HookRelay,
    name: str,
    event: object,
    context_for: ContextFactory,
) -> DispatchResult:
    """Run hook ``name`` for ``event`` on every plugin, ``ctx`` built per plugin by ``context_for``.

    Returns the :class:`DispatchResult`. Never raises for a plugin's exception (only for
    cancellation).
    """
    hook: pluggy.HookCaller = getattr(hooks, name)
    failed: list[str] = []
    for impl in ordered_impls(hook):
        arguments = {"event": event, "ctx": context_for(impl.plugin_name)}
        try:
            result = await call_impl(impl, arguments)
        except Exception as error:
            failed.append(impl.plugin_name)
            await report_error(hooks, impl.plugin_name, name, event, error)
            continue
        if result is Propagation.STOP:
            return DispatchResult(Outcome.STOPPED, impl.plugin_name, tuple(failed))
    return DispatchResult(Outcome.COMPLETED, None, tuple(failed))


async def report_error(
    hooks: pluggy.HookRelay, plugin: str, hook: str, event: object, error: Exception
) -> None:
    """Log ``error`` raised by ``plugin`` in ``hook`` and pass it to ``botkit_plugin_error``.

    An error raised by a ``botkit_plugin_error`` implementation is logged and otherwise ignored.
    """
    log.error("plugin %r raised in %s: %r", plugin, hook, error, exc_info=error)
    arguments = {"plugin": plugin, "hook": hook, "event": event, "error": error}
    for impl in ordered_impls(hooks.botkit_plugin_error):
        try:
            await call_impl(impl, arguments)
        except Exception as nested:
            log.error(
                "plugin %r raised in botkit_plugin_error: %r",
                impl.plugin_name,
                nested,
                exc_info=nested,
            )
