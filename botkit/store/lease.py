"""Account leases: one live holder per account, and a crashed holder's lease lapses.

The backends store a :class:`Lease` per account; :func:`claim` decides whether a would-be holder
may take it, and :class:`LeaseKeeper` renews it in the background and remembers a loss, so that
writes after the loss fail instead of racing the new holder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botkit.errors import AccountLocked, StoreError

__all__ = ["Lease", "LeaseKeeper", "claim", "new_holder"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds an account, and until when (epoch seconds)."""

    holder: str
    expires_at: float


def new_holder() -> str:
    """Return a holder name for this process: host, pid and a random tag (two opens differ)."""
    return f"{socket.gethostname()} pid {os.getpid()} #{secrets.token_hex(3)}"


def claim(account: str, current: Lease | None, holder: str, now: float, ttl: float) -> Lease:
    """Return the lease ``holder`` gets on ``account`` at ``now``, given the ``current`` one.

    Raises:
        AccountLocked: another holder's lease has not expired yet.
    """
    if current is not None and current.holder != holder and current.expires_at > now:
        raise AccountLocked(account, current.holder, current.expires_at)
    return Lease(holder, now + ttl)


class LeaseKeeper:
    """Renews one account's lease every ``interval`` seconds and remembers if it was lost."""

    def __init__(self, renew: Callable[[], Awaitable[None]], interval: float | None) -> None:
        self._renew = renew
        self._interval = interval
        self._lost: AccountLocked | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start renewing in the background (nothing when the interval is ``None``)."""
        if self._interval is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(self._interval))

    async def stop(self) -> None:
        """Stop renewing."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def renew(self) -> None:
        """Renew the lease now.

        Raises:
            AccountLocked: another holder took the lease; later :meth:`check` calls raise too.
            StoreError: the database failed (the lease may still be renewed later).
        """
        try:
            await self._renew()
        except AccountLocked as exc:
            self._lost = exc
            raise

    def check(self) -> None:
        """Raise :class:`AccountLocked` if the lease was lost."""
        if self._lost is not None:
            raise AccountLocked(self._lost.account, self._lost.holder, self._lost.expires_at)

    async def _run(self, interval: float) -> None:
        while self._lost is None:
            await asyncio.sleep(interval)
            try:
                await self.renew()
            except AccountLocked as exc:
                _log.error("lost the lease: %s", exc)
            except StoreError as exc:
                # A busy or briefly failing database: try again at the next interval.
                _log.warning("could not renew the lease: %s", exc)
