"""One connection after another: open the transport, run its session, report how it ended.

:class:`Connections` is the part of :class:`~botkit.client.client.Client` that owns the current
:class:`~botkit.client.session.Session`: :meth:`~Connections.start` returns once the first
connection's handshake is done, then the :class:`~botkit.client.supervisor.Supervisor`
reconnects by its policy until :meth:`~Connections.stop`. The client's services are told when
a connection starts (``started``) and closes (``closed``), and each ending is handed to
``ended`` (with whether the loop reconnects) before the supervisor decides what follows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from botkit.client.config import ServerConfig
from botkit.client.payload import DeviceConfig, client_payload
from botkit.client.requests import NodeHandler
from botkit.client.session import Session
from botkit.client.supervisor import Backoff, Ending, Supervisor
from botkit.client.transport import Transport
from botkit.core.binary import Node
from botkit.errors import NotConnected, RemoteProtocolError
from botkit.store.values import DeviceCredentials
from botkit.types.client_events import DisconnectReason

__all__ = ["Connections"]

log = logging.getLogger(__name__)


class Connections:
    """Runs the client's connections (see the module docstring).

    ``credentials`` returns the device's credentials (made on first use); ``dispatch`` handles
    each incoming node; ``sleep`` drives the reconnect delays.
    """

    def __init__(
        self,
        *,
        credentials: Callable[[], Awaitable[DeviceCredentials]],
        dispatch: NodeHandler,
        started: Callable[[], None],
        closed: Callable[[], None],
        ended: Callable[[Ending, bool], Awaitable[None]],
        server: ServerConfig,
        device: DeviceConfig,
        backoff: Backoff,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._credentials = credentials
        self._dispatch = dispatch
        self._started = started
        self._closed = closed
        self._ended = ended
        self._server = server
        self._device = device
        self._sleep = sleep
        self._supervisor = Supervisor(self._run_once, backoff=backoff, sleep=self._pause)
        self.session: Session | None = None
        """The open connection's session, if any."""
        self._opening: asyncio.Future[Transport] | None = None
        self._task: asyncio.Task[Ending] | None = None
        self._first: asyncio.Future[None] | None = None
        self._stopping: Ending | None = None
        self._stop_event = asyncio.Event()

    @property
    def running(self) -> bool:
        """Whether the loop runs (connected, connecting or waiting to reconnect)."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Open the first connection and keep connecting in the background (see Client.connect).

        Raises:
            NotConnected, RemoteProtocolError: the first connection failed.
            StoreError: the credentials could not be loaded or saved.
        """
        self._stopping = None
        self._stop_event.clear()
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._first = first
        self._task = asyncio.create_task(self._supervise(first), name="botkit-client")
        await first

    async def wait_stopped(self) -> DisconnectReason:
        """Wait until the loop stops reconnecting; return why. Raises NotConnected: never run."""
        if self._task is None:
            raise NotConnected("the client was never connected")
        return (await asyncio.shield(self._task)).reason

    async def stop(self, ending: Ending) -> None:
        """End the connection with ``ending`` and stop reconnecting."""
        task = self._task
        if task is None or task.done():
            return
        self._stopping = ending
        self._stop_event.set()
        if self.session is not None:
            self.session.end(ending)
        elif self._opening is not None:
            self._opening.cancel()
        if task is not asyncio.current_task():  # from the event sink, the loop stops by itself
            await asyncio.shield(task)

    async def send(self, node: Node) -> None:
        """Send ``node`` on the open connection. Raises NotConnected when there is none."""
        session = self.session
        if session is None:
            raise NotConnected("not connected")
        await session.send(node)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` as a task of the open connection (dropped when there is none)."""
        session = self.session
        if session is None:
            work.close()
            return
        session.spawn(work, name)

    def end(self, ending: Ending) -> None:
        """End the open connection (the supervisor decides what follows)."""
        if self.session is not None:
            self.session.end(ending)

    async def _supervise(self, first: asyncio.Future[None]) -> Ending:
        try:
            return await self._supervisor.run()
        except Exception as exc:
            if not first.done():
                first.set_exception(exc)
            raise
        finally:
            if not first.done():
                first.set_exception(NotConnected("the client stopped before connecting"))

    async def _run_once(self, attempt: int) -> Ending:
        if self._stopping is not None:
            return self._stopping
        credentials = await self._credentials()
        first = self._first
        opening = asyncio.ensure_future(
            Transport.open(
                noise_key=credentials.noise_key,
                client_payload=client_payload(credentials, self._device, attempt=attempt),
                url=self._server.url,
                trust_root=self._server.trust_root,
                open_timeout=self._server.open_timeout,
            )
        )
        self._opening = opening
        try:
            transport = await opening
        except asyncio.CancelledError:
            if self._stopping is None or not opening.cancelled():
                raise
            return self._stopping  # stopped while connecting
        except (NotConnected, RemoteProtocolError) as exc:
            if first is not None and not first.done():
                first.set_exception(exc)
                return Ending(DisconnectReason.SHUTDOWN, f"the first connection failed: {exc}")
            reason = (
                DisconnectReason.NETWORK
                if isinstance(exc, NotConnected)
                else DisconnectReason.SERVER_ERROR
            )
            log.info("connection attempt %d failed: %s", attempt, exc)
            return Ending(reason, str(exc))
        finally:
            self._opening = None
        session = Session(transport)
        self.session = session
        self._started()
        if first is not None and not first.done():
            first.set_result(None)
        try:
            ending = await session.run(self._dispatch)
        finally:
            self.session = None
            self._closed()
        await self._ended(ending, ending.reason.reconnects and self._stopping is None)
        return ending

    async def _pause(self, delay: float) -> None:
        """Sleep ``delay`` before reconnecting, waking early if the loop is stopped."""
        sleeper = asyncio.ensure_future(self._sleep(delay))
        stopper = asyncio.ensure_future(self._stop_event.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()
