"""Account leases: one live holder per account, and a crashed holder's lease lapses.

A lease lapses when it expires, or at once when its holder is a process of this host that is
gone (:func:`holder_is_gone`).

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

__all__ = ["Lease", "LeaseKeeper", "LeasedAccount", "claim", "holder_is_gone", "new_holder"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds an account, and until when (epoch seconds)."""

    holder: str
    expires_at: float


def new_holder() -> str:
    """Return a holder name for this process: host, pid and a random tag (two opens differ)."""
    return f"{socket.gethostname()} pid {os.getpid()} #{secrets.token_hex(3)}"


def holder_is_gone(holder: str) -> bool:
    """Return whether ``holder`` (a :func:`new_holder` name) is a process of this host that is
    no longer running (SIGKILLed, say): its lease need not be waited out.

    Any other holder (another host's, a name of the caller's choosing, a live or unknown
    process) is not known to be gone.
    """
    host, found, rest = holder.partition(" pid ")
    pid_text = rest.partition(" ")[0]
    if not found or host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid in (0, os.getpid()):
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # it exists, as another user's process
        return False
    return False


def claim(account: str, current: Lease | None, holder: str, now: float, ttl: float) -> Lease:
    """Return the lease ``holder`` gets on ``account`` at ``now``, given the ``current`` one.

    A lease whose holder is a dead process of this host (:func:`holder_is_gone`) has lapsed: a
    bot killed with SIGKILL does not block the next start until its lease expires.

    Raises:
        AccountLocked: another holder's lease has not expired yet.
    """
    if (
        current is not None
        and current.holder != holder
        and current.expires_at > now
        and not holder_is_gone(current.holder)
    ):
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


class LeasedAccount:
    """What an account store of either backend keeps about its lease: the account and holder
    names, the :class:`LeaseKeeper` renewing it through :meth:`_renew`, and the guard every
    write passes."""

    def __init__(self, account: str, holder: str, renew_interval: float | None) -> None:
        self._account = account
        self._holder = holder
        self.keeper = LeaseKeeper(self._renew, renew_interval)
        self._closed = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._account!r}>"

    @property
    def account(self) -> str:
        """The account name."""
        return self._account

    @property
    def holder(self) -> str:
        """The lease holder's name."""
        return self._holder

    async def _renew(self) -> None:
        """Claim the lease again in the backend; raise AccountLocked if another holder has it."""
        raise NotImplementedError

    async def renew_lease(self) -> None:
        """Extend the lease. Raises AccountLocked if another holder took it meanwhile."""
        await self.keeper.renew()

    def _check_writable(self) -> None:
        """Raise :class:`StoreError` once closed, :class:`AccountLocked` once the lease is lost."""
        if self._closed:
            raise StoreError(f"the store of account {self._account!r} is closed")
        self.keeper.check()
