"""Typed command arguments: declared with :class:`Arg`, parsed from the text after the command."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = [
    "Arg",
    "ArgType",
    "BadArguments",
    "format_duration",
    "next_token",
    "parse_arguments",
    "parse_duration",
]

_TOKEN = re.compile(r'\s*(?:"([^"]*)"|(\S+))')
_DURATION = re.compile(r"(?:\d+[smhdw])+")
_DURATION_PART = re.compile(r"(\d+)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PHONE = re.compile(r"\+?[\d\-. ()]+")


class ArgType(enum.Enum):
    """The kinds of argument a command can take, and what each becomes."""

    INT = "int"  # a whole number -> int
    STR = "str"  # one word, or "a quoted phrase" -> str
    USER = "user"  # an @mention or a phone number -> JID
    DURATION = "duration"  # 45s, 10m, 2h, 1d, 1w, 1h30m -> datetime.timedelta
    REST = "rest"  # the rest of the line, as typed -> str (must be last)


_EXPECTED = {
    ArgType.INT: "a whole number",
    ArgType.STR: "a word",
    ArgType.USER: "an @mention or a phone number",
    ArgType.DURATION: "a duration like 10m, 2h or 1d",
    ArgType.REST: "some text",
}


@dataclass(frozen=True, slots=True)
class Arg:
    """One declared argument; an ``optional`` one takes ``default`` when absent."""

    name: str
    type: ArgType = ArgType.STR
    optional: bool = False
    default: Any = None
    help: str = ""

    @property
    def label(self) -> str:
        """Return the argument as usage shows it: ``<name>`` or ``[name]``."""
        return f"[{self.name}]" if self.optional else f"<{self.name}>"

    @property
    def expected(self) -> str:
        """Return what the argument expects, in words."""
        return _EXPECTED[self.type]


class BadArguments(ValueError):
    """The text after a command does not fit its arguments; the message says why."""


def parse_arguments(args: Sequence[Arg], text: str, mentions: Sequence[JID] = ()) -> dict[str, Any]:
    """Parse ``text`` into a value per argument of ``args`` (``mentions``: the message's mentions).

    Returns a dict keyed by argument name. Raises BadArguments naming the argument, what it
    expected and what was given.
    """
    values: dict[str, Any] = {}
    position = 0
    for arg in args:
        if arg.type is ArgType.REST:
            rest = text[position:].strip()
            if not rest and not arg.optional:
                raise BadArguments(f"{arg.label} is missing: expected {arg.expected}")
            values[arg.name] = rest or arg.default
            position = len(text)
            continue
        found = next_token(text, position)
        if found is None:
            if not arg.optional:
                raise BadArguments(f"{arg.label} is missing: expected {arg.expected}")
            values[arg.name] = arg.default
            continue
        token, _quoted, position = found
        values[arg.name] = _convert(arg, token, mentions)
    extra = text[position:].strip()
    if extra:
        raise BadArguments(f"unexpected {extra!r} at the end")
    return values


def next_token(text: str, position: int = 0) -> tuple[str, bool, int] | None:
    """Return the word or ``"quoted phrase"`` of ``text`` at ``position`` as arguments read it.

    Returns the token (without quotes), whether it was quoted, and where the rest begins;
    ``None`` when only spaces are left.
    """
    match = _TOKEN.match(text, position)
    if match is None or match.end() == position:
        return None
    quoted = match.group(1) is not None
    return (match.group(1) if quoted else match.group(2)), quoted, match.end()


def _convert(arg: Arg, token: str, mentions: Sequence[JID]) -> Any:
    try:
        if arg.type is ArgType.INT:
            return int(token)
        if arg.type is ArgType.USER:
            return _user(token, mentions)
        if arg.type is ArgType.DURATION:
            return parse_duration(token)
    except ValueError:
        raise BadArguments(f"{arg.label}: expected {arg.expected}, got {token!r}") from None
    return token


def _user(token: str, mentions: Sequence[JID]) -> JID:
    """Return the mentioned JID for ``@number`` (PN or LID), else the number's PN JID."""
    if token.startswith("@"):
        number = token[1:]
        for jid in mentions:
            if jid.user == number:
                return jid.to_non_ad()
    elif not _PHONE.fullmatch(token):
        raise ValueError(token)
    digits = "".join(ch for ch in token if ch.isdigit())
    if not 5 <= len(digits) <= 15:
        raise ValueError(token)
    return JID(digits, DEFAULT_USER_SERVER)


def parse_duration(token: str) -> dt.timedelta:
    """Return the duration ``token`` (``45s``, ``10m``, ``2h``, ``1d``, ``1w``, ``1h30m``).

    Raises ValueError when it is not one, or is zero.
    """
    if not _DURATION.fullmatch(token.lower()):
        raise ValueError(token)
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(token.lower()))
    if seconds <= 0:
        raise ValueError(token)
    return dt.timedelta(seconds=seconds)


def format_duration(span: dt.timedelta, separator: str = "") -> str:
    """Return ``span`` in whole days, hours, minutes and seconds: ``1d2h``, ``30m``, ``0s``.

    With the default ``separator`` the result reads back with :func:`parse_duration`.
    """
    seconds = int(span.total_seconds())
    parts = []
    for unit in "dhms":
        count, seconds = divmod(seconds, _UNIT_SECONDS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return separator.join(parts) or "0s"
