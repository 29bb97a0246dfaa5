"""Benchmark the moderation verdict: microseconds per message with ten policies active.

Usage: python bench/moderation.py [--messages N] [--seed S]

The policy set has ten active policies: anti-link (allow and deny lists, invites), banned words,
six more word rules (words and regular expressions), flood and mass mentions. The message mix is
deterministic for a seed: mostly short chat, some accented and non-Latin text, allowed and
denied links, invites, banned words in disguise (case, accents, full-width letters), mass
mentions and a few long messages, from 60 members. The cost measured is
``evaluate`` + ``MemberState.record`` per message, the whole per-message work of the engine.

As a peer in the same run it measures a naive engine over the same messages: every word and
pattern its own regular expression, tried one by one. It prints both and the ratios.
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from botkit.bot import PluginManager

REPO = Path(__file__).resolve().parents[1]
TARGET_US = 50.0

CHAT = [
    "ok",
    "good morning everyone",
    "did anyone see the game yesterday?",
    "I'll be 10 minutes late, sorry.",
    "haha that's great 😂😂",
    "Can someone send the notes from today's meeting? Thanks a lot.",
    "yes",
    "no worries",
    "see you at 8 pm then",
    "the file is main.py, v1.2 works",
]
ACCENTED = [
    "Ça va très bien, merci ! On se voit à la réunion.",
    "Привет всем, как дела?",
    "こんにちは、今日はいい天気ですね",
    "¿Dónde está la estación? Gracias.",
]
LINKS_OK = ["docs at https://example.org/guide", "see www.wikipedia.org/wiki/Python"]
LINKS_BAD = [
    "cheap stuff at evil.com/deal",
    "visit HTTPS://Free-Money.XYZ now",
    "login at pаypal.com/verify",
    "https://bit.ly/3xYz",
]
INVITES = ["join us https://chat.whatsapp.com/AbCdEfGhIjKlMnOp"]
BANNED = ["this is SPAMWORD", "buy ｃｒｙｐｔｏ now", "free monéy for all", "call 555-0199 now"]

SETTINGS: dict[str, Any] = {
    "anti_link": {
        "allow": ["example.org", "wikipedia.org", "youtube.com", "github.com", "python.org"],
        "deny": ["evil.com", "bit.ly", "tinyurl.com", "free-money.xyz", "scam.example.org"],
    },
    "banned_words": {"words": ["spamword", "scam", "idiot", "stupid", "loser"]},
    "rules": [
        {"name": "crypto", "words": ["crypto", "bitcoin", "nft", "airdrop"], "action": "delete"},
        {"name": "money", "words": ["free money", "make money fast", "get rich"]},
        {"name": "phones", "patterns": [r"\b\d{3}-\d{4}\b"], "action": "log"},
        {"name": "adult", "words": ["xxx", "porn", "nsfw"], "action": "delete_and_kick"},
        {"name": "shouting", "patterns": [r"!!!!+"], "action": "warn"},
        {"name": "gambling", "words": ["casino", "betting", "jackpot"], "patterns": [r"\bbet\d+"]},
    ],
    "flood": {"max_messages": 6, "per_seconds": 10},
    "mass_mentions": {"max_mentions": 5},
}


def load_engine() -> tuple[ModuleType, ModuleType]:
    """Import the moderation plugin as the runtime does; return its engine and settings."""
    PluginManager().load("moderation", [REPO / "plugins"], REPO)
    return (
        importlib.import_module("botkit_plugin_moderation.engine"),
        importlib.import_module("botkit_plugin_moderation.settings"),
    )


def make_messages(count: int, seed: int) -> list[tuple[int, str, int, float]]:
    """Return (member, text, mention count, time) for ``count`` messages."""
    rng = random.Random(seed)
    kinds = [(CHAT, 70), (ACCENTED, 10), (LINKS_OK, 6), (LINKS_BAD, 4), (INVITES, 2), (BANNED, 6)]
    pools = [pool for pool, weight in kinds for _ in range(weight)]
    now = 1_800_000_000.0
    messages = []
    for _ in range(count):
        now += rng.expovariate(2.0)
        text = rng.choice(rng.choice(pools))
        if rng.random() < 0.01:
            text = " ".join([text] * 40)  # a long message
        mentions = rng.choice((0,) * 30 + (1, 2, 8))
        messages.append((rng.randrange(60), text, mentions, now))
    return messages


def naive_words(settings: dict[str, Any]) -> list[re.Pattern[str]]:
    """Return one expression per word and pattern, as a straightforward engine would."""
    rules = [settings["banned_words"], *settings["rules"]]
    words = [w for rule in rules for w in rule.get("words", [])]
    patterns = [p for rule in rules for p in rule.get("patterns", [])]
    return [re.compile(rf"\b{re.escape(w)}\b", re.IGNORECASE) for w in words] + [
        re.compile(p, re.IGNORECASE) for p in patterns
    ]


def main() -> None:
    """Parse the arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    engine, settings_module = load_engine()
    policy = engine.compile_policy(settings_module.PolicySettings.model_validate(SETTINGS))
    messages = make_messages(args.messages, args.seed)
    facts = [
        (member, engine.MessageFacts(text, mentions), now)
        for member, text, mentions, now in messages
    ]

    members = [engine.MemberState() for _ in range(60)]
    evaluate = engine.evaluate
    fold = importlib.import_module("botkit_plugin_moderation.text").fold
    start = time.perf_counter()
    flagged = 0
    for member, message, now in facts:
        state = members[member]
        verdict = evaluate(policy, message, state, now)
        state.record(now, policy, verdict)
        flagged += not verdict.clean
    ours = (time.perf_counter() - start) / len(facts) * 1e6

    expressions = naive_words(SETTINGS)
    links = policy.links
    start = time.perf_counter()
    for _, message, _ in facts:
        folded = fold(message.text)
        [expression.search(folded) for expression in expressions]
        links.judge(message.text)
    naive = (time.perf_counter() - start) / len(facts) * 1e6

    print(
        f"moderation: {len(facts):,} messages, {policy.count} policies active, {flagged:,} flagged"
    )
    print(
        f"  verdict: {ours:.1f} µs per message"
        f"  (target {TARGET_US:.0f} µs: {TARGET_US / ours:.1f}x headroom)"
    )
    print(f"  naive engine (one expression per word, same links): {naive:.1f} µs per message")
    print(f"  ratio naive / ours: {naive / ours:.2f}x")


if __name__ == "__main__":
    main()
