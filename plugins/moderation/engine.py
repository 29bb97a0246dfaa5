"""The verdict engine: a pure, fast function from (policy set, message, member state, now) to what
should happen to the message and why.

Everything is compiled once when the config loads (:func:`compile_policy`): every word rule and
pattern of a policy set becomes one combined regular expression (its named groups map a match back
to its rule; all word lists share one word-boundary check), domains become a dict.
:func:`evaluate` then costs one pass of that expression over the folded text, one link scan when
the text could hold a link, a length check and a deque look-up.
"""

from __future__ import annotations

import enum
import math
import re
from collections import deque
from dataclasses import dataclass, field

from .links import LinkKind, LinkPolicy
from .settings import ActionName, PolicySettings, WordRule
from .text import DOTS, fold

__all__ = [
    "CLEAN",
    "Action",
    "MemberState",
    "MessageFacts",
    "PolicySet",
    "Verdict",
    "Violation",
    "ViolationKind",
    "compile_policy",
    "evaluate",
]


class Action(enum.IntFlag):
    """What to do with a message (several may apply); none at all means "only log it"."""

    DELETE = 1
    WARN = 2
    KICK = 4


_ACTIONS: dict[str, Action] = {
    "log": Action(0),
    "delete": Action.DELETE,
    "warn": Action.WARN,
    "delete_and_warn": Action.DELETE | Action.WARN,
    "kick": Action.KICK,
    "delete_and_kick": Action.DELETE | Action.KICK,
}


def action_of(name: ActionName) -> Action:
    """Return the :class:`Action` flags of a config action name."""
    return _ACTIONS[name]


class ViolationKind(enum.Enum):
    """Which kind of rule a message broke."""

    LINK = "link"
    INVITE = "invite"
    WORDS = "words"
    FLOOD = "flood"
    MENTIONS = "mentions"


_DESCRIPTIONS = {
    ViolationKind.LINK: "links to {detail} are not allowed here",
    ViolationKind.INVITE: "invites to other groups are not allowed here",
    ViolationKind.WORDS: "{detail}",
    ViolationKind.FLOOD: "too many messages ({detail})",
    ViolationKind.MENTIONS: "too many mentions ({detail})",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: its kind, the rule's name or the domain, and the actions it asks for.

    ``detail`` never holds message text: a domain, a rule name or a count.
    """

    kind: ViolationKind
    detail: str
    actions: Action

    def describe(self) -> str:
        """Return the violation for people ("links to evil.com are not allowed here")."""
        return _DESCRIPTIONS[self.kind].format(detail=self.detail)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What should happen to a message: the union of the actions, and every broken rule."""

    actions: Action
    violations: tuple[Violation, ...]

    @property
    def clean(self) -> bool:
        """Return whether the message broke no rule."""
        return not self.violations

    def reasons(self) -> list[str]:
        """Return each violation described for people, without repeats."""
        return list(dict.fromkeys(v.describe() for v in self.violations))


CLEAN = Verdict(Action(0), ())


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What the engine looks at: the text, how many people it mentions, this group's invites."""

    text: str
    mentions: int = 0
    own_invites: frozenset[str] = frozenset()


@dataclass(slots=True)
class MemberState:
    """One member's recent message times in one group (the newest ``max_messages``)."""

    recent: deque[float] = field(default_factory=deque)
    flood_reported_at: float = -math.inf

    def record(self, now: float, policy: PolicySet, verdict: Verdict) -> None:
        """Remember a message at ``now`` and whether a flood was reported (warned or logged)."""
        if policy.flood is not None:
            self.recent.append(now)
            while len(self.recent) > policy.flood.max_messages:
                self.recent.popleft()
            if any(_reports_flood(v) for v in verdict.violations):
                self.flood_reported_at = now


def _reports_flood(violation: Violation) -> bool:
    return violation.kind is ViolationKind.FLOOD and (
        Action.WARN in violation.actions or not violation.actions
    )


@dataclass(frozen=True, slots=True)
class FloodPolicy:
    """More than ``max_messages`` within ``per_seconds``; reported at most once per window."""

    max_messages: int
    per_seconds: float
    actions: Action


@dataclass(frozen=True, slots=True)
class PolicySet:
    """A group's compiled policies and the settings they came from."""

    settings: PolicySettings
    words: re.Pattern[str] | None
    word_rules: dict[
        str, tuple[int, str, Action]
    ]  # group in ``words`` -> (rule index, name, actions)
    links: LinkPolicy
    link_actions: Action
    links_enabled: bool
    flood: FloodPolicy | None
    max_mentions: int | None
    mention_actions: Action

    @property
    def count(self) -> int:
        """Return how many policies are active (each word rule counts once)."""
        return (
            len({index for index, _, _ in self.word_rules.values()})
            + int(self.links_enabled)
            + int(self.flood is not None)
            + int(self.max_mentions is not None)
        )


def compile_policy(settings: PolicySettings) -> PolicySet:
    """Compile ``settings`` into a :class:`PolicySet`."""
    rules = [r for r in (settings.banned_words, *settings.rules) if r.enabled]
    words, word_rules = _combined(rules)
    link = settings.anti_link
    flood = settings.flood
    mentions = settings.mass_mentions
    return PolicySet(
        settings=settings,
        words=words,
        word_rules=word_rules,
        links=LinkPolicy.build(
            link.allow,
            link.deny,
            block_others=link.other_links == "block",
            block_invites=link.invites == "block",
            own_invites=link.own_invites,
        ),
        link_actions=action_of(link.action),
        links_enabled=link.enabled,
        flood=(
            FloodPolicy(flood.max_messages, flood.per_seconds, action_of(flood.action))
            if flood.enabled
            else None
        ),
        max_mentions=mentions.max_mentions if mentions.enabled else None,
        mention_actions=action_of(mentions.action),
    )


def _combined(
    rules: list[WordRule],
) -> tuple[re.Pattern[str] | None, dict[str, tuple[int, str, Action]]]:
    """Return one expression over folded text for all ``rules``, and its groups' rules.

    All word lists share one word-boundary check (``w<i>`` groups), which keeps the expression
    fast; the patterns follow as ``p<i>`` groups, matched case-insensitively.
    """
    groups: dict[str, tuple[int, str, Action]] = {}
    words, patterns = [], []
    for index, rule in enumerate(rules):
        if rule.words:
            terms = sorted({_term(word) for word in rule.words}, key=len, reverse=True)
            words.append(f"(?P<w{index}>{'|'.join(terms)})")
            groups[f"w{index}"] = (index, rule.name, action_of(rule.action))
        if rule.patterns:
            # Folded like the text, except for case: lower-casing would turn \S into \s.
            body = "|".join(f"(?:{_fold_marks(pattern)})" for pattern in rule.patterns)
            patterns.append(f"(?P<p{index}>(?i:{body}))")
            groups[f"p{index}"] = (index, rule.name, action_of(rule.action))
    parts = [rf"(?<!\w)(?:{'|'.join(words)})(?!\w)"] if words else []
    parts += patterns
    return (re.compile("|".join(parts)) if parts else None), groups


def _term(word: str) -> str:
    return r"\s+".join(re.escape(part) for part in fold(word).split())


def _fold_marks(pattern: str) -> str:
    """Return ``pattern`` without accents (but with its case), to match folded text."""
    return "".join(fold(ch) if ch.isalpha() and not ch.isascii() else ch for ch in pattern)


def evaluate(policy: PolicySet, message: MessageFacts, member: MemberState, now: float) -> Verdict:
    """Return the :class:`Verdict` on ``message`` by a member in ``member``'s state at ``now``.

    Pure: reads ``member`` (call :meth:`MemberState.record` afterwards), never raises on text.
    """
    found: list[Violation] = []
    text = message.text
    if text:
        if policy.words is not None:
            folded = fold(text)
            if policy.words.search(folded) is not None:
                hits = {
                    policy.word_rules[m.lastgroup]
                    for m in policy.words.finditer(folded)
                    if m.lastgroup
                }
                for _, rule, actions in sorted(hits):  # in config order
                    found.append(Violation(ViolationKind.WORDS, rule, actions))
        if policy.links_enabled and _may_link(text):
            for finding in policy.links.judge(text, message.own_invites):
                kind = (
                    ViolationKind.INVITE if finding.kind is LinkKind.INVITE else ViolationKind.LINK
                )
                found.append(Violation(kind, finding.domain, policy.link_actions))
    if policy.max_mentions is not None and message.mentions > policy.max_mentions:
        found.append(
            Violation(ViolationKind.MENTIONS, str(message.mentions), policy.mention_actions)
        )
    flood = policy.flood
    if flood is not None:
        recent = member.recent
        if (
            len(recent) >= flood.max_messages
            and recent[-flood.max_messages] > now - flood.per_seconds
        ):
            # A flood is reported (warned about, or logged) once per window; deleting goes on.
            reported = now - member.flood_reported_at < flood.per_seconds
            actions = flood.actions & ~Action.WARN if reported else flood.actions
            if actions or not reported:
                detail = f"{flood.max_messages + 1} in {flood.per_seconds:g}s"
                found.append(Violation(ViolationKind.FLOOD, detail, actions))
    if not found:
        return CLEAN
    actions = Action(0)
    for violation in found:
        actions |= violation.actions
    return Verdict(actions, tuple(found))


def _may_link(text: str) -> bool:
    return "." in text or (not text.isascii() and any(dot in text for dot in DOTS))
