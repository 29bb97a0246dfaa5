"""Settings shared by every store backend, including the injectable clock and key source."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from botkit.core.signal.keys import KeyPair

__all__ = ["StoreOptions", "random_key_pair"]


def random_key_pair() -> KeyPair:
    """Return a new Curve25519 key pair from the operating system's random source."""
    return KeyPair.generate(os.urandom(32))


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """How a store behaves; the defaults suit a bot in production.

    ``clock`` returns epoch seconds (a wall clock: leases are compared across processes).
    ``lease_ttl`` is how long a lease lasts without renewal, so how long a crashed holder blocks its
    account; ``renew_interval`` is how often an open account renews it in the background (``None``
    leaves renewal to the caller, as tests with a fake clock do). ``sent_cache_size`` bounds the
    sent-message cache per account and ``hot_cache_size`` each in-memory cache of hot records.
    """

    clock: Callable[[], float] = time.time
    lease_ttl: float = 30.0
    renew_interval: float | None = 10.0
    device_list_ttl: float = 3600.0
    sent_cache_size: int = 256
    hot_cache_size: int = 10_000
    key_factory: Callable[[], KeyPair] = random_key_pair
