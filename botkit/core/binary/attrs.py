"""Read a node's attributes, collecting every problem instead of failing on the first.

>>> r = AttrReader(node)
>>> sender, stamp, kind = r.jid("from"), r.int("t"), r.optional_string("type")
>>> r.raise_if_errors()   # DecodeError naming every missing or malformed attribute

A failed read returns a neutral value (``""``, ``0``, ``False``, an empty JID) and records the
problem, so a handler reads everything it needs and then checks once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from botkit.core.binary.node import Node
from botkit.errors import DecodeError
from botkit.types.jid import JID

__all__ = ["AttrReader"]

_INTEGER = re.compile(r"-?[0-9]{1,19}")
_EMPTY_JID = JID("", "")


class AttrReader:
    """Typed access to ``node.attrs``; problems accumulate in :attr:`errors`."""

    __slots__ = ("_attrs", "errors", "node")

    def __init__(self, node: Node) -> None:
        self.node = node
        self._attrs = node.attrs
        #: One human-readable line per problem found so far.
        self.errors: list[str] = []

    @property
    def ok(self) -> bool:
        """True while no read has failed."""
        return not self.errors

    def raise_if_errors(self) -> None:
        """Raise DecodeError listing every problem found so far; do nothing when there is none."""
        if self.errors:
            problems = "; ".join(self.errors)
            raise DecodeError(f"<{self.node.tag}>: {problems}")

    def _get(self, key: str, required: bool) -> str | JID | None:
        value = self._attrs.get(key)
        if value is None and required:
            self.errors.append(f"missing attribute {key!r}")
        return value

    def _bad(self, key: str, value: object, expected: str) -> None:
        self.errors.append(f"attribute {key!r} is not {expected}: {value!r}")

    def optional_string(self, key: str) -> str | None:
        """Return the attribute as a string (a JID in its string form), or None when absent."""
        value = self._get(key, False)
        return value if value is None or isinstance(value, str) else str(value)

    def string(self, key: str) -> str:
        """Return the attribute as a string; records a problem and returns "" when absent."""
        value = self._get(key, True)
        if value is None:
            return ""
        return value if isinstance(value, str) else str(value)

    def optional_jid(self, key: str) -> JID | None:
        """Return the attribute as a JID (a string is parsed), or None when absent.

        Records a problem (and returns None) when the value is not a JID.
        """
        value = self._get(key, False)
        if value is None or isinstance(value, JID):
            return value
        try:
            return JID.parse(value)
        except DecodeError:
            self._bad(key, value, "a JID")
            return None

    def jid(self, key: str) -> JID:
        """Return the attribute as a JID; records a problem and returns an empty JID otherwise."""
        if key not in self._attrs:
            self._get(key, True)
            return _EMPTY_JID
        value = self.optional_jid(key)
        return _EMPTY_JID if value is None else value

    def optional_int(self, key: str) -> int | None:
        """Return the attribute as a decimal integer, or None when absent.

        Records a problem (and returns None) when the value is not a decimal integer.
        """
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
        self._bad(key, value, "an integer")
        return None

    def int(self, key: str) -> int:
        """Return the attribute as a decimal integer; records a problem and returns 0 otherwise."""
        if key not in self._attrs:
            self._get(key, True)
            return 0
        value = self.optional_int(key)
        return 0 if value is None else value

    def optional_bool(self, key: str) -> bool | None:
        """Return ``"true"``/``"1"`` as True and ``"false"``/``"0"`` as False, None when absent.

        Records a problem (and returns None) for any other value.
        """
        value = self._get(key, False)
        if value is None:
            return None
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        self._bad(key, value, "a boolean")
        return None

    def bool(self, key: str) -> bool:
        """Return the attribute as a boolean; records a problem and returns False otherwise."""
        if key not in self._attrs:
            self._get(key, True)
            return False
        return bool(self.optional_bool(key))

    def optional_unix_time(self, key: str) -> datetime | None:
        """Return a Unix timestamp in seconds as an aware UTC datetime, or None when absent.

        Records a problem (and returns None) when the value is not a timestamp.
        """
        seconds = self.optional_int(key)
        if seconds is None:
            return None
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            self._bad(key, seconds, "a Unix time")
            return None

    def unix_time(self, key: str) -> datetime:
        """Return the attribute as a UTC datetime; records a problem and returns the epoch."""
        if key not in self._attrs:
            self._get(key, True)
            return datetime.fromtimestamp(0, UTC)
        value = self.optional_unix_time(key)
        return datetime.fromtimestamp(0, UTC) if value is None else value
