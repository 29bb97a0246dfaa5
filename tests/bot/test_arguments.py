"""Typed command arguments: each type, optional ones, and messages for bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from botkit.bot import Arg, ArgType
from botkit.bot.arguments import BadArguments, format_duration, parse_arguments, parse_duration
from botkit.types.jid import JID


def test_int_and_str() -> None:
    args = [Arg("count", ArgType.INT), Arg("word")]
    assert parse_arguments(args, "3 hello") == {"count": 3, "word": "hello"}


def test_a_quoted_string_is_one_argument() -> None:
    args = [Arg("title"), Arg("count", ArgType.INT)]
    assert parse_arguments(args, '"two words" 5') == {"title": "two words", "count": 5}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("45s", 45), ("10m", 600), ("2h", 7200), ("1d", 86400), ("1w", 604800), ("1h30m", 5400)],
)
def test_durations(text: str, seconds: int) -> None:
    values = parse_arguments([Arg("time", ArgType.DURATION)], text)
    assert values["time"] == dt.timedelta(seconds=seconds)


def test_user_by_phone_number() -> None:
    values = parse_arguments([Arg("user", ArgType.USER)], "+15550001111")
    assert values["user"] == JID("15550001111", "s.whatsapp.net")


def test_user_by_mention_uses_the_mentioned_jid_even_a_lid() -> None:
    lid = JID("987654321012", "lid")
    values = parse_arguments([Arg("user", ArgType.USER)], "@987654321012", mentions=[lid])
    assert values["user"] == lid


def test_user_by_mention_without_mention_metadata_is_a_phone_number() -> None:
    values = parse_arguments([Arg("user", ArgType.USER)], "@15550001111")
    assert values["user"] == JID("15550001111", "s.whatsapp.net")


def test_rest_of_line_keeps_the_text_as_typed() -> None:
    args = [Arg("user", ArgType.USER), Arg("reason", ArgType.REST)]
    values = parse_arguments(args, "15550001111 spamming  links, twice")
    assert values["reason"] == "spamming  links, twice"


def test_optional_arguments_take_their_default() -> None:
    args = [
        Arg("count", ArgType.INT, optional=True, default=1),
        Arg("why", ArgType.REST, optional=True),
    ]
    assert parse_arguments(args, "") == {"count": 1, "why": None}


@pytest.mark.parametrize(
    ("args", "text", "message"),
    [
        ([Arg("count", ArgType.INT)], "many", "<count>: expected a whole number, got 'many'"),
        ([Arg("time", ArgType.DURATION)], "soon", "<time>: expected a duration like 10m, 2h or 1d"),
        ([Arg("time", ArgType.DURATION)], "0m", "got '0m'"),
        ([Arg("user", ArgType.USER)], "bob", "<user>: expected an @mention or a phone number"),
        ([Arg("user", ArgType.USER)], "123", "got '123'"),
        ([Arg("count", ArgType.INT)], "", "<count> is missing: expected a whole number"),
        ([Arg("why", ArgType.REST)], "  ", "<why> is missing: expected some text"),
        ([Arg("count", ArgType.INT)], "1 2", "unexpected '2' at the end"),
    ],
)
def test_bad_input_says_what_was_expected(args: list[Arg], text: str, message: str) -> None:
    with pytest.raises(BadArguments) as info:
        parse_arguments(args, text)
    assert message in str(info.value)


def test_format_duration_reads_back() -> None:
    span = dt.timedelta(days=1, hours=2, seconds=3)
    assert format_duration(span) == "1d2h3s"
    assert parse_duration(format_duration(span)) == span
    assert format_duration(span, " ") == "1d 2h 3s"
    assert format_duration(dt.timedelta(0)) == "0s"
