"""Events and outgoing messages are frozen plain values."""

from __future__ import annotations

import dataclasses

import pytest

from botkit.types import (
    GroupInfo,
    GroupParticipant,
    MessageReceived,
    ParticipantRole,
    TextMessage,
)
from botkit.types.jid import JID

PN = JID("15550000001", "s.whatsapp.net")
LID = JID("200000000001", "lid")
GROUP = JID("120363000000000001", "g.us")


def test_events_are_frozen_and_slotted() -> None:
    event = MessageReceived("ID", GROUP, PN, 0.0, text="hi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.text = "changed"  # type: ignore[misc]
    assert not hasattr(event, "__dict__")
    assert not hasattr(TextMessage("x"), "__dict__")


def test_is_group_follows_the_chat() -> None:
    assert MessageReceived("ID", GROUP, PN, 0.0).is_group
    assert not MessageReceived("ID", PN, PN, 0.0).is_group


def test_a_participant_is_found_by_either_identity() -> None:
    admin = GroupParticipant(LID, ParticipantRole.ADMIN, alt=PN)
    info = GroupInfo(GROUP, "Demo", (admin,))
    assert info.participant(PN) is admin
    assert info.participant(JID(LID.user, LID.server, device=2)) is admin
    assert info.participant(JID("1", "s.whatsapp.net")) is None
    assert admin.is_admin and not GroupParticipant(PN).is_admin
