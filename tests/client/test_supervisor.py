"""The reconnect policy: the disconnect taxonomy, backoff with jitter, when to stop."""

from __future__ import annotations

import random

import pytest

from botkit.client.supervisor import (
    Backoff,
    Ending,
    Supervisor,
    failure_ending,
    stream_error_ending,
)
from botkit.core.binary import Node
from botkit.core.connection import StreamError
from botkit.types.client_events import DisconnectReason, LogoutReason

R = DisconnectReason


def test_backoff_doubles_up_to_the_cap_with_seeded_jitter() -> None:
    backoff = Backoff(base=1.0, factor=2.0, cap=8.0, jitter=0.5, random=random.Random(7).random)
    delays = [backoff.next_delay() for _ in range(6)]
    draws = random.Random(7)
    expected = [c * (1 - 0.5 * draws.random()) for c in (1.0, 2.0, 4.0, 8.0, 8.0, 8.0)]
    assert delays == pytest.approx(expected)
    assert all(c / 2 <= d <= c for d, c in zip(delays, (1, 2, 4, 8, 8, 8), strict=True))


def test_backoff_reset_starts_again_from_the_base() -> None:
    backoff = Backoff(base=1.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(3)] == [1.0, 2.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0


def test_backoff_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Backoff(base=0)


@pytest.mark.parametrize(
    ("reason", "expected", "logout"),
    [
        ("401", R.LOGGED_OUT, LogoutReason.LOGIN_REFUSED),
        ("403", R.LOGGED_OUT, LogoutReason.LOGIN_REFUSED),
        ("406", R.LOGGED_OUT, LogoutReason.LOGIN_REFUSED),
        ("402", R.TEMP_BANNED, None),
        ("405", R.CLIENT_OUTDATED, None),
        ("409", R.REJECTED, None),
        ("501", R.REJECTED, None),
        ("500", R.SERVER_ERROR, None),
        ("503", R.SERVER_ERROR, None),
    ],
)
def test_login_failures(reason: str, expected: DisconnectReason, logout: object) -> None:
    ending = failure_ending(Node("failure", {"reason": reason}))
    assert (ending.reason, ending.logout) == (expected, logout)


def _stream_error(code: str | None, conflict: str | None) -> StreamError:
    attrs = {} if code is None else {"code": code}
    children = [] if conflict is None else [Node("conflict", {"type": conflict})]
    node = Node("stream:error", attrs, children)
    return StreamError(int(code) if code else None, conflict, node)


@pytest.mark.parametrize(
    ("code", "conflict", "expected"),
    [
        ("515", None, R.RESTART_REQUIRED),
        ("401", "device_removed", R.LOGGED_OUT),
        (None, "replaced", R.REPLACED),
        ("503", None, R.SERVER_ERROR),
        ("999", None, R.SERVER_ERROR),
    ],
)
def test_stream_errors(code: str | None, conflict: str | None, expected: DisconnectReason) -> None:
    assert stream_error_ending(_stream_error(code, conflict)).reason is expected


def test_only_restart_network_and_server_errors_reconnect() -> None:
    assert {reason for reason in R if reason.reconnects} == {
        R.RESTART_REQUIRED,
        R.NETWORK,
        R.SERVER_ERROR,
    }


async def test_the_supervisor_backs_off_restarts_at_once_and_stops_when_told() -> None:
    endings = iter(
        [
            Ending(R.NETWORK),
            Ending(R.NETWORK),
            Ending(R.RESTART_REQUIRED),
            Ending(R.SERVER_ERROR, established=True),
            Ending(R.NETWORK),
            Ending(R.REPLACED),
        ]
    )
    attempts: list[int] = []
    slept: list[float] = []

    async def run_once(attempt: int) -> Ending:
        attempts.append(attempt)
        return next(endings)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    supervisor = Supervisor(run_once, backoff=Backoff(jitter=0.0), sleep=sleep)
    assert (await supervisor.run()).reason is R.REPLACED
    assert attempts == [0, 1, 2, 3, 4, 5]
    # 1, 2; none after the restart (which resets); the established connection resets again
    assert slept == [1.0, 2.0, 1.0, 2.0]
