"""The verdict engine: each policy kind, how verdicts combine, and the flood window."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest
from botkit_plugin_moderation.engine import (
    CLEAN,
    Action,
    MemberState,
    MessageFacts,
    PolicySet,
    Verdict,
    ViolationKind,
    compile_policy,
    evaluate,
)
from botkit_plugin_moderation.settings import PolicySettings
from hypothesis import given
from hypothesis import strategies as st

from .test_text import disguised

NOW = 1_800_000_000.0


def compiled(**settings: Any) -> PolicySet:
    return compile_policy(PolicySettings.model_validate(settings))


def judge(policy: PolicySet, text: str, mentions: int = 0) -> Verdict:
    return evaluate(policy, MessageFacts(text, mentions), MemberState(), NOW)


WORDS = compiled(
    banned_words={"words": ["spam", "buy now"], "action": "delete"},
    rules=[
        {"name": "crypto", "words": ["bitcoin"], "patterns": [r"\bn[fv]t\d*\b"], "action": "kick"},
        {"name": "shouting", "patterns": ["!!!+"], "action": "warn"},
    ],
)


ANY = compiled(anti_link={"allow": ["example.org"]}, banned_words={"words": ["spam"]})


@given(st.text(), st.integers(0, 20), st.lists(st.floats(NOW - 20, NOW), max_size=6))
def test_any_message_gets_one_verdict_and_the_member_is_untouched(
    text: str, mentions: int, recent: list[float]
) -> None:
    member = MemberState(deque(sorted(recent)))
    before = (list(member.recent), member.flood_reported_at)
    first = evaluate(ANY, MessageFacts(text, mentions), member, NOW)
    assert evaluate(ANY, MessageFacts(text, mentions), member, NOW) == first
    assert (list(member.recent), member.flood_reported_at) == before
    union = Action(0)
    for violation in first.violations:
        union |= violation.actions
    assert first.actions == union


def test_a_clean_message_gets_the_clean_verdict() -> None:
    assert judge(WORDS, "hello there, how are you?") is CLEAN


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("this is spam", ["banned words"]),
        ("SPAM!", ["banned words"]),
        ("spammer and antispam", []),  # whole words only
        ("Buy   NOW please", ["banned words"]),  # a phrase across any whitespace
        ("buynow", []),
        ("bitcoin", ["crypto"]),
        ("nice NFT42 here", ["crypto"]),  # a pattern, case-insensitively
        ("stop!!!", ["shouting"]),
        ("spam bitcoin!!!!", ["banned words", "crypto", "shouting"]),
        ("!!! nft1 and bitcoin", ["crypto", "shouting"]),  # config order, each rule once
    ],
)
def test_banned_words_and_patterns(text: str, rules: list[str]) -> None:
    verdict = judge(WORDS, text)
    assert [v.detail for v in verdict.violations] == rules
    assert all(v.kind is ViolationKind.WORDS for v in verdict.violations)


@given(disguised())
def test_banned_words_match_in_any_case_accents_or_width(pair: tuple[str, str]) -> None:
    word, variant = pair
    policy = compiled(banned_words={"words": [word]})
    assert judge(policy, f"well {variant}, ok").violations[0].detail == "banned words"


def test_accented_banned_words_match_unaccented_text_and_back() -> None:
    policy = compiled(banned_words={"words": ["Idiót"], "patterns": ["mon[eé]y"]})
    assert not judge(policy, "what an IDIOT").clean
    assert not judge(policy, "free MONÉY").clean


def test_actions_of_the_broken_rules_combine() -> None:
    verdict = judge(WORDS, "spam bitcoin!!!")
    assert verdict.actions == Action.DELETE | Action.KICK | Action.WARN
    assert verdict.reasons() == ["banned words", "crypto", "shouting"]


def test_a_log_only_rule_breaks_the_rule_but_asks_for_nothing() -> None:
    verdict = judge(compiled(banned_words={"words": ["meh"], "action": "log"}), "meh")
    assert not verdict.clean and verdict.actions == Action(0)


def test_links_by_the_anti_link_policy() -> None:
    policy = compiled(anti_link={"allow": ["example.org"], "action": "delete_and_warn"})
    assert judge(policy, "see https://docs.example.org").clean
    verdict = judge(policy, "go to EVIL.com/x and https://chat.whatsapp.com/AbCdEfGhIjKlMnOp")
    assert [(v.kind, v.detail) for v in verdict.violations] == [
        (ViolationKind.LINK, "evil.com"),
        (ViolationKind.INVITE, "chat.whatsapp.com"),
    ]
    assert verdict.actions == Action.DELETE | Action.WARN
    assert verdict.reasons() == [
        "links to evil.com are not allowed here",
        "invites to other groups are not allowed here",
    ]


def test_this_groups_invite_is_not_an_invite_to_another_group() -> None:
    facts = MessageFacts(
        "https://chat.whatsapp.com/OurOwnCode12345", 0, frozenset({"OurOwnCode12345"})
    )
    assert evaluate(compiled(), facts, MemberState(), NOW).clean


def test_a_disabled_policy_does_not_judge() -> None:
    policy = compiled(anti_link={"enabled": False}, banned_words={"words": ["x"], "enabled": False})
    assert judge(policy, "x evil.com", mentions=50).violations[0].kind is ViolationKind.MENTIONS


@pytest.mark.parametrize(("mentions", "broken"), [(5, False), (6, True)])
def test_mass_mentions(mentions: int, broken: bool) -> None:
    policy = compiled(mass_mentions={"max_mentions": 5})
    assert (not judge(policy, "hey", mentions).clean) is broken


def flood(policy: PolicySet, member: MemberState, times: list[float]) -> list[Action | None]:
    """Send a message at each of ``times``; return the flood actions of each verdict."""
    result = []
    for at in times:
        verdict = evaluate(policy, MessageFacts("hi"), member, at)
        member.record(at, policy, verdict)
        kinds = [v for v in verdict.violations if v.kind is ViolationKind.FLOOD]
        result.append(kinds[0].actions if kinds else None)
    return result


def test_flood_more_than_n_messages_in_t_seconds() -> None:
    policy = compiled(flood={"max_messages": 3, "per_seconds": 10, "action": "delete_and_warn"})
    member = MemberState()
    both = Action.DELETE | Action.WARN
    # the 4th message within 10 s floods; later ones are deleted, but warned about once per window
    assert flood(policy, member, [NOW, NOW + 1, NOW + 2, NOW + 3, NOW + 4]) == [
        None,
        None,
        None,
        both,
        Action.DELETE,
    ]
    # once the window has passed, a new flood is warned about again
    assert flood(policy, member, [NOW + 20, NOW + 21, NOW + 22, NOW + 23]) == [
        None,
        None,
        None,
        both,
    ]


@pytest.mark.parametrize(("action", "first"), [("warn", Action.WARN), ("log", Action(0))])
def test_a_flood_without_deleting_is_reported_once_per_window(action: str, first: Action) -> None:
    policy = compiled(flood={"max_messages": 2, "per_seconds": 10, "action": action})
    times = [NOW, NOW + 1, NOW + 2, NOW + 3, NOW + 4]
    assert flood(policy, MemberState(), times) == [None, None, first, None, None]


def test_messages_spread_over_time_are_no_flood() -> None:
    policy = compiled(flood={"max_messages": 3, "per_seconds": 10})
    assert flood(policy, MemberState(), [NOW + 4 * i for i in range(20)]) == [None] * 20


def test_ten_policies_count_as_ten() -> None:
    rules = [{"name": f"r{i}", "words": [f"w{i}"], "patterns": [f"p{i}"]} for i in range(6)]
    policy = compiled(banned_words={"words": ["x"]}, rules=rules)
    assert policy.count == 10  # anti-link, banned words, six rules, flood, mass mentions
