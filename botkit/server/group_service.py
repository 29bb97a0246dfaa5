"""The sandbox's group service: requests carried out, and their ``w:gp2`` notifications sent.

Both the ``w:g2`` IQ handler and the control API go through :meth:`GroupService.request`, so a
change made either way is checked by the same rules (:mod:`botkit.server.group_ops`) and
announced the same way: one ``<notification type="w:gp2">`` per change, queued in the mailbox
of every device of every recipient like a message, so an offline device gets it when it logs
in. When members leave or are removed, the simulated phones of those who remain drop their
own sender key of the group, so their next message starts a new one the removed cannot read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botkit.core.binary import Node
from botkit.core.stanza.group import (
    ChangeParticipants,
    CreateGroup,
    GroupNotification,
    GroupRequest,
    SetAnnounce,
    SetApproval,
    SetDescription,
    SetEphemeral,
    SetLocked,
    SetSubject,
    gp2_notification,
    parse_group,
)
from botkit.server.group_ops import Notice, apply
from botkit.server.routing import Router
from botkit.server.world import Account, World
from botkit.types.events import ParticipantAction
from botkit.types.group import GroupInfo
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["GroupControl", "GroupService", "group_json"]


class GroupService:
    """Carries out group requests in ``world`` and routes their notifications with ``router``.

    ``changed`` is called after each request carried out (the sandbox then writes its state).
    """

    def __init__(
        self, world: World, router: Router, changed: Callable[[], None] = lambda: None
    ) -> None:
        self._world = world
        self._router = router
        self._changed = changed

    def _phone_of(self, jid: JID) -> str | None:
        account = self._world.account_of(jid)
        return None if account is None or jid.device else account.phone

    def lid_of(self, phone: str) -> str | None:
        """Return the LID user of ``phone``'s account (None for an unknown phone)."""
        account = self._world.account(phone)
        return None if account is None else account.lid_user

    async def request(self, actor: Account, request: GroupRequest) -> list[Node]:
        """Carry out ``request`` for ``actor``; send its notifications; return the payload.

        Raises:
            SandboxRefusal: the request is refused (nothing changed, nothing sent).
        """
        outcome = apply(
            self._world.groups,
            request,
            actor=actor.phone,
            phone_of=self._phone_of,
            lid_of=self.lid_of,
            now=int(time.time()),
        )
        self._changed()
        for group_jid in outcome.rotate:
            group = self._world.groups.get(group_jid)
            for phone in () if group is None else group.members:
                account = self._world.account(phone)
                if account is not None:
                    self._router.phone(account).forget_sender_key(group_jid)
        for notice in outcome.notices:
            await self._send(notice)
        return outcome.payload

    async def _send(self, notice: Notice) -> None:
        actor = self._world.account(notice.actor)
        node = gp2_notification(
            GroupNotification(
                group=notice.group,
                id=self._world.groups.notice_id(),
                timestamp=int(time.time()),
                changes=(notice.change,),
                actor=JID(notice.actor, DEFAULT_USER_SERVER),
                notify=actor.name if actor is not None and actor.name else None,
                addressing_mode="pn",
            )
        )
        accounts = [a for phone in notice.recipients if (a := self._world.account(phone))]
        await self._router.notify(accounts, node)


_ACTIONS = {action.value: action for action in ParticipantAction}
_SETTINGS: dict[str, Callable[[JID, Any], GroupRequest]] = {
    "announce": lambda jid, on: SetAnnounce(jid, _bool(on)),
    "locked": lambda jid, on: SetLocked(jid, _bool(on)),
    "approval": lambda jid, on: SetApproval(jid, _bool(on)),
    "subject": lambda jid, text: SetSubject(jid, _str(text)),
    "description": lambda jid, text: SetDescription(jid, _str(text) or None),
    "ephemeral": lambda jid, seconds: SetEphemeral(jid, _int(seconds)),
}


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not a boolean")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    return value


def group_json(info: GroupInfo, invite_code: str) -> dict[str, Any]:
    """Return a group's metadata as ``GET /control/groups/<jid>`` shows it."""
    return {
        "jid": str(info.jid),
        "subject": info.subject,
        "description": info.description,
        "owner": None if info.owner is None else str(info.owner),
        "creation": int(info.created_at),
        "announce": info.announce,
        "locked": info.locked,
        "ephemeral": info.ephemeral,
        "approval": info.approval,
        "member_add_mode": info.member_add_mode,
        "invite_code": invite_code,
        "participants": [
            {
                "jid": str(p.jid),
                "lid": None if p.alt is None else str(p.alt),
                "role": p.role.value,
            }
            for p in info.participants
        ],
    }


class GroupControl:
    """The control API's group operations, run as the simulated phone of the user named."""

    def __init__(self, world: World, service: GroupService) -> None:
        self._world = world
        self._service = service

    async def create(self, creator: str, subject: str, participants: list[JID]) -> dict[str, str]:
        """Create a group of ``creator``; return ``{"jid"}``.

        Raises:
            LookupError: no account for ``creator``.
        """
        request = CreateGroup(subject, tuple(participants))
        payload = await self._service.request(self._world.known_account(creator), request)
        return {"jid": str(parse_group(payload[0]).jid)}

    async def participants(
        self, group: JID, by: str, action: str, participants: list[JID]
    ) -> list[dict[str, Any]]:
        """Change participants as ``by``; return ``[{"jid", "status"}]`` (200: done).

        Raises:
            ValueError: an unknown action.
            LookupError: no account for ``by``.
            SandboxRefusal: the change is refused as a whole (no group, not an admin).
        """
        if action not in _ACTIONS:
            raise ValueError(f"action must be one of {sorted(_ACTIONS)}")
        request = ChangeParticipants(group, _ACTIONS[action], tuple(participants))
        payload = await self._service.request(self._world.known_account(by), request)
        return [
            {"jid": str(child.attrs.get("jid")), "status": int(str(child.attrs.get("error", 200)))}
            for child in payload[0].children
        ]

    async def settings(self, group: JID, by: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply each setting of ``body`` as ``by``; return the group's metadata.

        Raises:
            ValueError: an unknown setting or a value of the wrong type.
            LookupError: no account for ``by``.
            SandboxRefusal: a change is refused (those before it stay applied).
        """
        account = self._world.known_account(by)
        unknown = set(body) - set(_SETTINGS) - {"by"}
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(_SETTINGS)}")
        requests = [_SETTINGS[name](group, value) for name, value in body.items() if name != "by"]
        for request in requests:
            await self._service.request(account, request)
        return self.metadata(group)

    def metadata(self, group: JID) -> dict[str, Any]:
        """Return the metadata of ``group``.

        Raises:
            LookupError: no such group.
        """
        found = self._world.groups.get(group)
        if found is None:
            raise LookupError(f"no group {group}")
        return group_json(found.info(self._service.lid_of), found.invite_code)
