"""The reconnect policy: why a connection ended, and whether and when to connect again.

:func:`failure_ending` and :func:`stream_error_ending` turn the server's ``<failure>`` and
``<stream:error>`` into an :class:`Ending` (PROTOCOL.md §3.5). :class:`Supervisor` runs one
connection after another: at once after a 515 restart, after an exponential :class:`Backoff`
with jitter after a network or server error, and not at all after a logout, a replaced
connection, an outdated client or a shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botkit.core.binary import AttrReader, Node
from botkit.core.connection import StreamError
from botkit.types.client_events import DisconnectReason, LogoutReason

__all__ = ["Backoff", "Ending", "Supervisor", "failure_ending", "stream_error_ending"]

log = logging.getLogger(__name__)

_LOGGED_OUT_FAILURES = frozenset({401, 403, 406})


@dataclass(frozen=True, slots=True)
class Ending:
    """How one connection ended: the reason, a detail for humans, and for a logout its kind.

    ``established`` says whether the connection had logged in (a good connection resets the
    backoff).
    """

    reason: DisconnectReason
    detail: str = ""
    logout: LogoutReason | None = None
    established: bool = False


def failure_ending(node: Node) -> Ending:
    """Return the ending a ``<failure reason="...">`` at login means (§3.5 table)."""
    reader = AttrReader(node)
    code = reader.optional_int("reason") or 0
    detail = f"login failure {code}"
    message = reader.optional_string("message")
    if message:
        detail += f": {message}"
    if code in _LOGGED_OUT_FAILURES:
        return Ending(DisconnectReason.LOGGED_OUT, detail, LogoutReason.LOGIN_REFUSED)
    if code == 402:
        return Ending(DisconnectReason.TEMP_BANNED, detail)
    if code == 405:
        return Ending(DisconnectReason.CLIENT_OUTDATED, detail)
    if code >= 500 and code != 501:
        return Ending(DisconnectReason.SERVER_ERROR, detail)
    return Ending(DisconnectReason.REJECTED, detail)


def stream_error_ending(event: StreamError) -> Ending:
    """Return the ending a ``<stream:error>`` means (§3.5): 515 restart, conflicts, others."""
    if event.conflict_type == "device_removed" or (
        event.code == 401 and event.conflict_type is None
    ):
        return Ending(
            DisconnectReason.LOGGED_OUT, "the device was unlinked", LogoutReason.DEVICE_REMOVED
        )
    if event.conflict_type == "replaced":
        return Ending(DisconnectReason.REPLACED, "another connection of this device took over")
    if event.code == 515:
        return Ending(DisconnectReason.RESTART_REQUIRED, "the server asked for a restart")
    return Ending(DisconnectReason.SERVER_ERROR, f"stream error {event.node.to_xml()}")


class Backoff:
    """Exponential reconnect delays with jitter.

    The n-th delay (from 0) is ``min(cap, base * factor**n)``, reduced by up to ``jitter`` of
    itself at random (``random()`` in [0, 1), injectable and seedable for tests).
    """

    def __init__(
        self,
        *,
        base: float = 1.0,
        factor: float = 2.0,
        cap: float = 60.0,
        jitter: float = 0.5,
        random: Callable[[], float] = random.random,
    ) -> None:
        if base <= 0 or factor < 1 or cap < base or not 0 <= jitter <= 1:
            raise ValueError("backoff needs base > 0, factor >= 1, cap >= base, 0 <= jitter <= 1")
        self._base = base
        self._factor = factor
        self._cap = cap
        self._jitter = jitter
        self._random = random
        self._failures = 0

    def next_delay(self) -> float:
        """Return the delay before the next attempt and count one more failure."""
        ceiling = min(self._cap, self._base * self._factor**self._failures)
        self._failures += 1
        return ceiling * (1 - self._jitter * self._random())

    def reset(self) -> None:
        """Start again from the base delay (after a connection that logged in)."""
        self._failures = 0


RunOnce = Callable[[int], Awaitable[Ending]]
"""Runs one connection to its end; gets the attempt number (0, 1, ...); returns its ending."""


class Supervisor:
    """Runs connections until one ends for a reason that does not reconnect."""

    def __init__(
        self,
        run_once: RunOnce,
        *,
        backoff: Backoff,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._run_once = run_once
        self._backoff = backoff
        self._sleep = sleep

    async def run(self) -> Ending:
        """Connect again and again as the policy says; return the ending that stopped it."""
        attempt = 0
        while True:
            ending = await self._run_once(attempt)
            if not ending.reason.reconnects:
                return ending
            attempt += 1
            if ending.established:
                self._backoff.reset()
            if ending.reason is DisconnectReason.RESTART_REQUIRED:
                self._backoff.reset()
                continue
            delay = self._backoff.next_delay()
            log.info("reconnecting in %.1f s (%s)", delay, ending.detail or ending.reason.value)
            await self._sleep(delay)
