"""What a ``w:g2`` request does to the sandbox's groups, with WhatsApp's permissions.

:func:`apply` takes a parsed request and the asking user, changes the registry, and returns the
payload of the result IQ and the notices to send; a refused request raises :class:`SandboxRefusal`
with the IQ error code and changes nothing. Rules (as WhatsApp applies them):

* 404 no such group, 403 the asker is not a member (or not an admin where one is needed);
  400 a malformed value (an unknown timer or add mode); 401 invite links are admins' only;
  406 an unknown invite code, 410 a reset one.
* Participants: admins add, remove, promote and demote (members may add when the add mode is
  ``all_member_add``); results per participant: 404 no such user / not a member, 409 already
  a member / already has that role, 403 the super-admin cannot be removed or demoted.
* Subject, description and timer: any member, or only admins while the group is locked.
  Announcement, lock, approval and add mode: admins only.
* When the last admin leaves, the longest-standing member is made an admin (a promotion
  notified like any other).

Each change becomes one :class:`Notice` for the members after it (and those it removed); a user
added to a group gets the full ``<create>`` form instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from botkit.core.binary import Node
from botkit.core.stanza.group import (
    AnnounceChange,
    ApprovalChange,
    ChangeParticipants,
    CreateGroup,
    DescriptionChange,
    EphemeralChange,
    GetInvite,
    GroupChange,
    GroupCreated,
    GroupRequest,
    InviteChange,
    InviteInfo,
    JoinByCode,
    JoinResult,
    LeaveGroups,
    ListGroups,
    LockedChange,
    ParticipantResult,
    ParticipantsChange,
    QueryGroup,
    SetAnnounce,
    SetApproval,
    SetDescription,
    SetEphemeral,
    SetLocked,
    SetMemberAddMode,
    SetSubject,
    SubjectChange,
    UnknownChange,
    group_node,
    groups_node,
    invite_node,
    join_node,
    participant_results_node,
)
from botkit.errors import SandboxRefusal
from botkit.server.groups import Group, GroupRegistry, LidOf, new_invite_code
from botkit.types.events import ParticipantAction
from botkit.types.group import ParticipantRole
from botkit.types.jid import JID

__all__ = ["EPHEMERAL_TIMERS", "Notice", "Outcome", "apply"]

#: The disappearing-message timers WhatsApp offers (seconds); 0 turns it off.
EPHEMERAL_TIMERS = frozenset({0, 86_400, 604_800, 7_776_000})
_ADD_MODES = frozenset({"admin_add", "all_member_add"})

NOT_FOUND = 404
FORBIDDEN = 403
CONFLICT = 409
BAD_REQUEST = 400
UNAUTHORIZED = 401
INVALID_CODE = 406
REVOKED_CODE = 410

PhoneOf = Callable[[JID], str | None]
"""Returns the phone number of the account a user JID (PN or LID) names, or None."""


@dataclass(frozen=True, slots=True)
class Notice:
    """A ``w:gp2`` change by ``actor`` to ``group``, for the users in ``recipients``."""

    group: JID
    actor: str
    change: GroupChange
    recipients: tuple[str, ...]


@dataclass(slots=True)
class Outcome:
    """The result IQ's payload, the notices to send, and groups whose sender keys must rotate."""

    payload: list[Node] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    rotate: list[JID] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Context:
    registry: GroupRegistry
    actor: str
    phone_of: PhoneOf
    lid_of: LidOf
    now: int

    def group(self, jid: JID, *, admin: bool = False) -> Group:
        group = self.registry.get(jid)
        if group is None:
            raise SandboxRefusal(NOT_FOUND, f"no group {jid}")
        if not group.is_member(self.actor):
            raise SandboxRefusal(FORBIDDEN, "not a member")
        if admin and not group.is_admin(self.actor):
            raise SandboxRefusal(FORBIDDEN, "not an admin")
        return group

    def editable(self, jid: JID) -> Group:
        group = self.group(jid)
        return self.group(jid, admin=True) if group.locked else group

    def notice(self, group: Group, change: GroupChange, extra: Sequence[str] = ()) -> Notice:
        recipients = tuple(dict.fromkeys([*group.members, *extra]))
        return Notice(group.jid, self.actor, change, recipients)

    def created(self, group: Group, phones: Sequence[str], reason: str = "") -> Notice:
        change = GroupCreated(group.info(self.lid_of), reason)
        return Notice(group.jid, self.actor, change, tuple(phones))


def _create(ctx: _Context, request: CreateGroup) -> Outcome:
    if request.member_add_mode and request.member_add_mode not in _ADD_MODES:
        raise SandboxRefusal(BAD_REQUEST, f"unknown add mode {request.member_add_mode!r}")
    if request.ephemeral not in EPHEMERAL_TIMERS:
        raise SandboxRefusal(BAD_REQUEST, f"unknown timer {request.ephemeral}")
    phones = [p for jid in request.participants if (p := ctx.phone_of(jid)) is not None]
    group = ctx.registry.create(ctx.actor, request.subject, phones, ctx.now)
    group.announce, group.locked = request.announce, request.locked
    group.ephemeral, group.approval = request.ephemeral, request.approval
    group.member_add_mode = request.member_add_mode or group.member_add_mode
    info = group_node(group.info(ctx.lid_of))
    return Outcome([info], [ctx.created(group, list(group.members))])


def _one(ctx: _Context, group: Group, action: ParticipantAction, phone: str | None) -> int:
    """Apply ``action`` to one participant; return its result code (0: done)."""
    if phone is None:
        return NOT_FOUND
    role = group.members.get(phone)
    if action is ParticipantAction.ADDED:
        if role is not None:
            return CONFLICT
        group.members[phone] = ParticipantRole.MEMBER
        group.pending.discard(phone)
        return 0
    if role is None:
        return NOT_FOUND
    if role is ParticipantRole.SUPERADMIN and phone != ctx.actor:
        return FORBIDDEN
    if action is ParticipantAction.REMOVED:
        del group.members[phone]
    elif action is ParticipantAction.PROMOTED:
        if role is not ParticipantRole.MEMBER:
            return CONFLICT
        group.members[phone] = ParticipantRole.ADMIN
    else:
        if role is ParticipantRole.MEMBER:
            return CONFLICT
        group.members[phone] = ParticipantRole.MEMBER
    return 0


def _participants(ctx: _Context, request: ChangeParticipants) -> Outcome:
    group = ctx.group(request.group)
    members_add = request.action is ParticipantAction.ADDED and (
        group.member_add_mode == "all_member_add"
    )
    if not members_add and not group.is_admin(ctx.actor):
        raise SandboxRefusal(FORBIDDEN, "not an admin")
    results: list[ParticipantResult] = []
    done: list[str] = []
    for jid in request.participants:
        phone = ctx.phone_of(jid)
        code = _one(ctx, group, request.action, phone)
        results.append(ParticipantResult(jid, code))
        if code == 0 and phone is not None:
            done.append(phone)
    outcome = Outcome([participant_results_node(request.action, results)])
    if not done:
        return outcome
    listed = tuple(group.participant(phone, ctx.lid_of) for phone in done)
    change = ParticipantsChange(request.action, listed)
    if request.action is ParticipantAction.ADDED:
        others = [phone for phone in group.members if phone not in done]
        outcome.notices.append(Notice(group.jid, ctx.actor, change, tuple(others)))
        outcome.notices.append(ctx.created(group, done, "invite"))
    else:
        removed = done if request.action is ParticipantAction.REMOVED else []
        outcome.notices.append(ctx.notice(group, change, removed))
        if removed:
            outcome.rotate.append(group.jid)
    return outcome


def _leave(ctx: _Context, request: LeaveGroups) -> Outcome:
    outcome = Outcome()
    for jid in request.groups:
        group = ctx.registry.get(jid)
        if group is None or not group.is_member(ctx.actor):
            continue
        leaver = group.participant(ctx.actor, ctx.lid_of)
        del group.members[ctx.actor]
        change = ParticipantsChange(ParticipantAction.REMOVED, (leaver,))
        outcome.notices.append(ctx.notice(group, change, [ctx.actor]))
        outcome.rotate.append(group.jid)
        if group.members and not any(group.is_admin(phone) for phone in group.members):
            heir = next(iter(group.members))  # the longest-standing member
            group.members[heir] = ParticipantRole.ADMIN
            promoted = (group.participant(heir, ctx.lid_of),)
            outcome.notices.append(
                ctx.notice(group, ParticipantsChange(ParticipantAction.PROMOTED, promoted))
            )
    return outcome


def _settings(ctx: _Context, request: GroupRequest) -> Outcome:
    """Apply a subject, description or switch change; return its outcome."""
    change: GroupChange
    match request:
        case SetSubject(jid, subject):
            group = ctx.editable(jid)
            group.subject, group.subject_owner, group.subject_time = subject, ctx.actor, ctx.now
            change = SubjectChange(subject, ctx.now, JID(ctx.actor, "s.whatsapp.net"))
        case SetDescription(jid, text, description_id):
            group = ctx.editable(jid)
            group.description_id = description_id or new_invite_code()[:16].upper()
            group.description = text or ""
            group.description_owner, group.description_time = ctx.actor, ctx.now
            change = DescriptionChange(group.description_id, text)
        case SetEphemeral(jid, seconds):
            if seconds not in EPHEMERAL_TIMERS:
                raise SandboxRefusal(BAD_REQUEST, f"unknown timer {seconds}")
            group = ctx.editable(jid)
            group.ephemeral = seconds
            change = EphemeralChange(seconds)
        case SetAnnounce(jid, on):
            group = ctx.group(jid, admin=True)
            group.announce = on
            change = AnnounceChange(on, str(ctx.now))
        case SetLocked(jid, on):
            group = ctx.group(jid, admin=True)
            group.locked = on
            change = LockedChange(on)
        case SetApproval(jid, on):
            group = ctx.group(jid, admin=True)
            group.approval = on
            change = ApprovalChange(on)
        case SetMemberAddMode(jid, mode):
            if mode not in _ADD_MODES:
                raise SandboxRefusal(BAD_REQUEST, f"unknown add mode {mode!r}")
            group = ctx.group(jid, admin=True)
            group.member_add_mode = mode
            change = UnknownChange(Node("member_add_mode", {}, mode.encode()))
        case _:
            raise SandboxRefusal(BAD_REQUEST, "not a settings request")
    return Outcome([], [ctx.notice(group, change)])


def _invite(ctx: _Context, request: GetInvite | InviteInfo | JoinByCode) -> Outcome:
    if isinstance(request, GetInvite):
        group = ctx.group(request.group)
        if not group.is_admin(ctx.actor):
            raise SandboxRefusal(UNAUTHORIZED, "invite links are for admins")
        if not request.reset:
            return Outcome([invite_node(group.invite_code)])
        ctx.registry.revoked_codes.add(group.invite_code)
        group.invite_code = new_invite_code()
        notice = ctx.notice(group, InviteChange(group.invite_code))
        return Outcome([invite_node(group.invite_code)], [notice])
    found = ctx.registry.by_code(request.code)
    if found is None:
        revoked = request.code in ctx.registry.revoked_codes
        raise SandboxRefusal(REVOKED_CODE if revoked else INVALID_CODE, "no such invite code")
    if isinstance(request, InviteInfo):
        return Outcome([group_node(found.info(ctx.lid_of))])
    if found.is_member(ctx.actor):
        raise SandboxRefusal(CONFLICT, "already a member")
    if found.approval:
        found.pending.add(ctx.actor)
        return Outcome([join_node(JoinResult(found.jid, pending_approval=True))])
    found.members[ctx.actor] = ParticipantRole.MEMBER
    joined = ParticipantsChange(
        ParticipantAction.ADDED, (found.participant(ctx.actor, ctx.lid_of),), "invite_link"
    )
    others = tuple(phone for phone in found.members if phone != ctx.actor)
    notices = [
        Notice(found.jid, ctx.actor, joined, others),
        ctx.created(found, [ctx.actor], "invite_link"),
    ]
    return Outcome([join_node(JoinResult(found.jid))], notices)


def apply(
    registry: GroupRegistry,
    request: GroupRequest,
    *,
    actor: str,
    phone_of: PhoneOf,
    lid_of: LidOf,
    now: int,
) -> Outcome:
    """Carry out ``request`` for the user ``actor`` (a phone number).

    Raises:
        SandboxRefusal: the request is not allowed or names no group (nothing changed).
    """
    ctx = _Context(registry, actor, phone_of, lid_of, now)
    match request:
        case CreateGroup():
            return _create(ctx, request)
        case QueryGroup(jid):
            return Outcome([group_node(ctx.group(jid).info(lid_of))])
        case ListGroups():
            return Outcome([groups_node([g.info(lid_of) for g in registry.of_member(actor)])])
        case ChangeParticipants():
            return _participants(ctx, request)
        case LeaveGroups():
            return _leave(ctx, request)
        case GetInvite() | InviteInfo() | JoinByCode():
            return _invite(ctx, request)
    return _settings(ctx, request)
