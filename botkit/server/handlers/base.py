"""What every IQ handler gets: the world, the asking session and the sandbox's services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from botkit.core.binary import Node
from botkit.core.stanza.group import GroupRequest
from botkit.server.session import ChatSession
from botkit.server.world import Account, Device, World
from botkit.types.jid import JID

__all__ = ["GroupRequests", "Handler", "IqContext", "Linking"]


class Linking(Protocol):
    """The sandbox services the ``md`` namespace needs."""

    async def unlink(self, device: JID) -> bool:
        """Forget ``device`` and log its connection out; True if it was linked."""
        ...

    async def link_code_stage(self, session: ChatSession, iq: Node) -> Node:
        """Answer a ``link_code_companion_reg`` IQ of a registering companion."""
        ...


class GroupRequests(Protocol):
    """The sandbox service the ``w:g2`` namespace needs."""

    async def request(self, actor: Account, request: GroupRequest) -> list[Node]:
        """Carry out ``request`` for ``actor`` and send its notifications; return the payload.

        Raises:
            SandboxRefusal: the request is refused (its ``code`` is the IQ error to answer).
        """
        ...


@dataclass(frozen=True, slots=True)
class IqContext:
    """One IQ being answered: the world, the session that sent it and the sandbox's services."""

    world: World
    session: ChatSession
    linking: Linking
    groups: GroupRequests

    @property
    def device(self) -> Device | None:
        """The logged-in device of the session, or None while it is registering."""
        return self.session.device

    @property
    def account(self) -> Account | None:
        """The account of the logged-in device, or None while registering."""
        device = self.session.device
        return None if device is None else self.world.account_of(device.jid)


Handler = Callable[[IqContext, Node], Awaitable[Node]]
"""An IQ handler: returns the complete answer (result or error IQ)."""
