"""The ``scheduler:`` config section: announcements, their triggers, targets and texts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from botkit.bot.arguments import parse_duration
from botkit.bot.triggers import At, Cron, Every, Trigger, parse_cron, parse_zone
from botkit.errors import DecodeError
from botkit.types.jid import JID

__all__ = ["Announcement", "SchedulerConfig"]

_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _duration(value: str) -> str:
    try:
        parse_duration(value)
    except ValueError:
        raise ValueError(f"expected a duration like 30m, 2h or 1d, got {value!r}") from None
    return value


def _zone(value: str | None) -> str | None:
    if value is not None:
        parse_zone(value)
    return value


class Announcement(BaseModel):
    """One scheduled announcement: when (exactly one of ``cron``, ``every``, ``at``), to whom
    (group names or JIDs), and what (exactly one of ``text``, ``template``, both Jinja2)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    to: list[str] = Field(min_length=1)
    cron: str | None = None
    every: str | None = None
    at: dt.datetime | None = None
    timezone: str | None = None
    text: str | None = None
    template: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(f"expected 1-64 letters, digits, '.', '_' or '-', got {value!r}")
        return value

    @field_validator("to")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        for target in value:
            if not target.strip():
                raise ValueError("expected group names or JIDs, got an empty one")
            if "@" in target:
                try:
                    JID.parse(target)
                except DecodeError:
                    raise ValueError(f"expected a group name or a JID, got {target!r}") from None
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return parse_cron(value) if value is not None else None

    @field_validator("every")
    @classmethod
    def _every(cls, value: str | None) -> str | None:
        return _duration(value) if value is not None else None

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return _zone(value)

    @model_validator(mode="after")
    def _one_of_each(self) -> Self:
        when = [name for name in ("cron", "every", "at") if getattr(self, name) is not None]
        if len(when) != 1:
            given = f" (got {', '.join(when)})" if when else ""
            raise ValueError(f"expected exactly one of cron, every or at{given}")
        what = [name for name in ("text", "template") if getattr(self, name) is not None]
        if len(what) != 1:
            given = f" (got {', '.join(what)})" if what else ""
            raise ValueError(f"expected exactly one of text or template{given}")
        return self

    def trigger(self, default_zone: str | None) -> Trigger:
        """Return when the announcement runs; ``default_zone`` applies if it names no zone."""
        zone = self.timezone or default_zone
        if self.cron is not None:
            return Cron(self.cron, zone)
        if self.every is not None:
            return Every(parse_duration(self.every))
        if self.at is not None:
            return At(self.at, zone)
        raise ValueError(f"announcement {self.id!r} has no trigger")


class SchedulerConfig(BaseModel):
    """``scheduler:``: a default ``timezone`` (else the bot's), how late a missed run may still
    happen (``misfire_grace``), and the announcements."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str | None = None
    misfire_grace: str = "15m"
    announcements: list[Announcement] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return _zone(value)

    @field_validator("misfire_grace")
    @classmethod
    def _grace(cls, value: str) -> str:
        return _duration(value)

    @field_validator("announcements")
    @classmethod
    def _unique(cls, value: list[Announcement]) -> list[Announcement]:
        seen: set[str] = set()
        for announcement in value:
            if announcement.id in seen:
                raise ValueError(f"announcement id {announcement.id!r} is used twice")
            seen.add(announcement.id)
        return value

    @property
    def grace(self) -> dt.timedelta:
        """``misfire_grace`` as a duration."""
        return parse_duration(self.misfire_grace)
