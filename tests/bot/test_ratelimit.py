"""Outbound limits in virtual time: order per chat, global and per-chat windows, backpressure."""

from __future__ import annotations

import asyncio
import random

from botkit.bot.ratelimit import OutboundLimiter, RateLimits
from botkit.testing import FakeClock
from botkit.types.jid import JID

A = JID("15550000001", "s.whatsapp.net")
B = JID("15550000002", "s.whatsapp.net")
C = JID("15550000003", "s.whatsapp.net")


def _limiter(clock: FakeClock, **limits: object) -> OutboundLimiter:
    return OutboundLimiter(
        RateLimits(**limits),  # type: ignore[arg-type]
        clock=clock.monotonic,
        sleep=clock.sleep,
        rng=random.Random(3),
    )


async def _send_all(
    limiter: OutboundLimiter, clock: FakeClock, jobs: list[tuple[JID, str]]
) -> list[tuple[str, float]]:
    start = clock.now
    log: list[tuple[str, float]] = []

    async def action(label: str) -> str:
        log.append((label, clock.now - start))
        await asyncio.sleep(0)
        return label

    results = await asyncio.gather(
        *(limiter.run(chat, lambda label=label: action(label)) for chat, label in jobs)
    )
    assert results == [label for _, label in jobs]
    return log


async def test_per_chat_limit_waits_and_drops_nothing() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, per_minute=100, per_chat_per_minute=2)
    log = await _send_all(limiter, clock, [(A, f"a{i}") for i in range(5)])
    assert log == [("a0", 0), ("a1", 0), ("a2", 60), ("a3", 60), ("a4", 120)]


async def test_order_per_chat_is_preserved_under_concurrency() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, per_minute=100, per_chat_per_minute=100, jitter_ms=(0, 500))
    jobs = [(chat, f"{chat.user[-1]}{i}") for i in range(10) for chat in (A, B)]
    log = await _send_all(limiter, clock, jobs)
    for chat in ("1", "2"):
        labels = [label for label, _ in log if label.startswith(chat)]
        assert labels == [f"{chat}{i}" for i in range(10)]


async def test_global_limit_spans_chats() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, per_minute=2, per_chat_per_minute=10)
    log = await _send_all(limiter, clock, [(A, "a"), (B, "b"), (C, "c")])
    assert sorted(time for _, time in log) == [0, 0, 60]


async def test_the_window_slides() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, per_minute=100, per_chat_per_minute=1)
    await _send_all(limiter, clock, [(A, "first")])
    clock.now += 61
    log = await _send_all(limiter, clock, [(A, "later")])
    assert log == [("later", 0)]


async def test_jitter_stays_in_its_range() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, per_chat_per_minute=100, jitter_ms=(300, 1200))
    await _send_all(limiter, clock, [(A, str(i)) for i in range(20)])
    assert len(clock.sleeps) == 20
    assert all(0.3 <= pause <= 1.2 for pause in clock.sleeps)


async def test_typing_is_shown_for_about_as_long_as_typing_takes() -> None:
    clock = FakeClock()
    states: list[tuple[JID, bool]] = []

    async def typing(chat: JID, on: bool) -> None:
        states.append((chat, on))

    limiter = OutboundLimiter(
        RateLimits(typing=True, typing_chars_per_second=10, max_typing_seconds=3),
        clock=clock.monotonic,
        sleep=clock.sleep,
        typing=typing,
    )

    async def send() -> None:
        return None

    await limiter.run(A, send, chars=20)
    await limiter.run(A, send, chars=500)
    assert states == [(A, True), (A, True)]
    assert clock.sleeps == [2.0, 3.0]
