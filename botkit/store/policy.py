"""Rules every backend applies the same way: pre-key ids, freshness, limits, validation."""

from __future__ import annotations

from collections.abc import Callable

from botkit.core.signal.keys import KeyPair
from botkit.store.values import DeviceList, InboundUnit, PreKey

__all__ = [
    "MAX_PRE_KEY_ID",
    "MAX_UNIT_EFFECTS",
    "device_list_is_fresh",
    "make_pre_keys",
    "validate_unit",
]

MAX_PRE_KEY_ID = 0xFFFFFF  # pre-key ids travel as 3 bytes (PROTOCOL.md §7.3)
MAX_UNIT_EFFECTS = 1000  # one message touches a handful of records; more is a caller's bug


def make_pre_keys(
    next_id: int, count: int, key_factory: Callable[[], KeyPair]
) -> tuple[list[PreKey], int]:
    """Return ``count`` new pre-keys numbered from ``next_id``, and the id to use after them.

    Ids run sequentially and wrap from :data:`MAX_PRE_KEY_ID` back to 1, so a consumed key's id is
    not handed out again until 16 million keys later.
    """
    keys: list[PreKey] = []
    key_id = next_id
    for _ in range(count):
        keys.append(PreKey(key_id, key_factory()))
        key_id = 1 if key_id >= MAX_PRE_KEY_ID else key_id + 1
    return keys, key_id


def device_list_is_fresh(devices: DeviceList, now: float, ttl: float) -> bool:
    """Return ``True`` if ``devices`` was fetched less than ``ttl`` seconds before ``now``."""
    return now - devices.fetched_at < ttl


def validate_unit(unit: InboundUnit) -> None:
    """Check ``unit`` before anything of it is written.

    Raises:
        ValueError: a pre-key id is out of range, a sender key is updated twice in one unit, or
            the unit has more than :data:`MAX_UNIT_EFFECTS` effects.
    """
    size = len(unit.sessions) + len(unit.sender_keys) + len(unit.identities)
    if size > MAX_UNIT_EFFECTS:
        raise ValueError(f"a unit has at most {MAX_UNIT_EFFECTS} effects, not {size}")
    pre_key = unit.consumed_pre_key
    if pre_key is not None and not 0 < pre_key <= MAX_PRE_KEY_ID:
        raise ValueError(f"pre-key id {pre_key} is out of range")
    names = [(update.group, update.sender) for update in unit.sender_keys]
    if len(set(names)) != len(names):
        raise ValueError("a unit updates the same sender key twice")
