"""Groups on the wire, sans-IO: the one import point for clients and the sandbox.

* :mod:`~botkit.core.stanza.group_info` — the ``<group>`` element and its participants (§13.2);
* :mod:`~botkit.core.stanza.group_requests` — the ``w:g2`` requests as values (§13.1);
* :mod:`~botkit.core.stanza.group_iq` — those requests built into IQs and parsed back;
* :mod:`~botkit.core.stanza.group_result` — their answers, built and parsed;
* :mod:`~botkit.core.stanza.group_notification` — ``w:gp2`` notifications (§13.3).

A client builds a request with :func:`group_request` and reads the answer with a ``parse_*``
function; the sandbox reads the request with :func:`parse_group_request` and builds the answer
and the notifications with the ``*_node`` functions and :func:`gp2_notification`.
"""

from botkit.core.stanza.group_info import (
    group_node,
    parse_group,
    parse_participant,
    participant_node,
)
from botkit.core.stanza.group_iq import group_request, parse_group_request
from botkit.core.stanza.group_notification import (
    GP2,
    AnnounceChange,
    ApprovalChange,
    DescriptionChange,
    EphemeralChange,
    GroupChange,
    GroupCreated,
    GroupDeleted,
    GroupNotification,
    InviteChange,
    LockedChange,
    ParticipantsChange,
    SubjectChange,
    UnknownChange,
    gp2_notification,
    parse_gp2_notification,
)
from botkit.core.stanza.group_requests import (
    GROUP_XMLNS,
    ChangeParticipants,
    CreateGroup,
    GetInvite,
    GroupRequest,
    InviteInfo,
    JoinByCode,
    LeaveGroups,
    ListGroups,
    QueryGroup,
    SetAnnounce,
    SetApproval,
    SetDescription,
    SetEphemeral,
    SetLocked,
    SetMemberAddMode,
    SetSubject,
)
from botkit.core.stanza.group_result import (
    INVITE_LINK_PREFIX,
    AddRequest,
    JoinResult,
    ParticipantResult,
    groups_node,
    invite_node,
    join_node,
    parse_group_result,
    parse_groups,
    parse_invite_code,
    parse_join,
    parse_participant_results,
    participant_results_node,
)

__all__ = [
    "GP2",
    "GROUP_XMLNS",
    "INVITE_LINK_PREFIX",
    "AddRequest",
    "AnnounceChange",
    "ApprovalChange",
    "ChangeParticipants",
    "CreateGroup",
    "DescriptionChange",
    "EphemeralChange",
    "GetInvite",
    "GroupChange",
    "GroupCreated",
    "GroupDeleted",
    "GroupNotification",
    "GroupRequest",
    "InviteChange",
    "InviteInfo",
    "JoinByCode",
    "JoinResult",
    "LeaveGroups",
    "ListGroups",
    "LockedChange",
    "ParticipantResult",
    "ParticipantsChange",
    "QueryGroup",
    "SetAnnounce",
    "SetApproval",
    "SetDescription",
    "SetEphemeral",
    "SetLocked",
    "SetMemberAddMode",
    "SetSubject",
    "SubjectChange",
    "UnknownChange",
    "gp2_notification",
    "group_node",
    "group_request",
    "groups_node",
    "invite_node",
    "join_node",
    "parse_gp2_notification",
    "parse_group",
    "parse_group_request",
    "parse_group_result",
    "parse_groups",
    "parse_invite_code",
    "parse_join",
    "parse_participant",
    "parse_participant_results",
    "participant_node",
    "participant_results_node",
]
