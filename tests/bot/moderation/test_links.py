"""Finding links and judging them: allow/deny with subdomains, bare domains, invites, tricks."""

from __future__ import annotations

import pytest
from botkit_plugin_moderation.links import LinkFinding, LinkKind, LinkPolicy, find_links
from hypothesis import given
from hypothesis import strategies as st

OWN_CODE = "OwnGroupCode1234"


def policy(
    allow: tuple[str, ...] = ("example.org",),
    deny: tuple[str, ...] = ("bad.example.org",),
    *,
    block_others: bool = True,
    block_invites: bool = True,
) -> LinkPolicy:
    return LinkPolicy.build(
        allow, deny, block_others=block_others, block_invites=block_invites, own_invites=[OWN_CODE]
    )


@pytest.mark.parametrize(
    ("text", "domains"),
    [
        ("see https://Example.org/a?b=1 now", ["example.org"]),
        ("www.example.net", ["www.example.net"]),
        ("bare evil.com/x and shop.io", ["evil.com", "shop.io"]),
        ("ftp://files.internal.lan/x", ["files.internal.lan"]),  # any TLD with a scheme
        ("http://example.org@evil.com/login", ["evil.com"]),  # user-info trick
        ("ＥＶＩＬ．ＣＯＭ／ｘ", ["evil.com"]),  # full-width letters and dot
        ("main.py, v1.2, e.g. and 3.14", []),  # file names and numbers are not links
        ("mail bob@evil.com", []),  # an e-mail address is not a link
        ("no links here", []),
        ("https://" + "a" * 64 + ".com/x", ["?"]),  # not a valid host, but surely a link
    ],
)
def test_find_links(text: str, domains: list[str]) -> None:
    assert [domain for domain, _ in find_links(text)] == domains


@pytest.mark.parametrize(
    ("text", "blocked"),
    [
        ("https://example.org/docs", []),
        ("https://docs.EXAMPLE.org/x", []),  # subdomains of an allowed domain
        ("https://bad.example.org/x", ["bad.example.org"]),  # the more specific deny wins
        ("https://very.bad.example.org", ["very.bad.example.org"]),
        ("https://notexample.org", ["notexample.org"]),  # a suffix is not a subdomain
        ("https://exämple.org", ["xn--exmple-cua.org"]),  # a look-alike is not allowed
        ("https://other.com", ["other.com"]),
    ],
)
def test_allow_and_deny_lists(text: str, blocked: list[str]) -> None:
    found = policy().judge(text)
    assert [f.domain for f in found] == blocked
    assert all(f.kind is LinkKind.LINK for f in found)


def test_other_links_may_be_allowed_while_denied_ones_stay_blocked() -> None:
    lenient = policy(block_others=False)
    assert lenient.judge("https://other.com and bad.example.org") == [
        LinkFinding(LinkKind.LINK, "bad.example.org")
    ]


def test_a_denied_unicode_domain_matches_its_punycode_and_any_case() -> None:
    strict = LinkPolicy.build(
        [], ["exämple.com".encode("idna").decode()], block_others=False, block_invites=True
    )
    for text in ("https://exämple.com", "http://XN--EXMPLE-CUA.COM/x", "EXÄMPLE.COM/x"):
        assert [f.domain for f in strict.judge(text)] == ["xn--exmple-cua.com"], text


@pytest.mark.parametrize(
    ("text", "own", "blocked"),
    [
        ("join https://chat.whatsapp.com/AbCdEfGhIjKlMnOp", frozenset(), True),
        ("join chat.whatsapp.com/invite/AbCdEfGhIjKlMnOp", frozenset(), True),
        ("CHAT.WHATSAPP.COM/AbCdEfGhIjKlMnOp", frozenset(), True),
        (f"https://chat.whatsapp.com/{OWN_CODE}", frozenset(), False),  # configured as ours
        ("https://chat.whatsapp.com/MetaDataCode99", frozenset({"MetaDataCode99"}), False),
    ],
)
def test_invites_to_other_groups(text: str, own: frozenset[str], blocked: bool) -> None:
    found = policy(allow=("chat.whatsapp.com",)).judge(text, own)
    assert found == ([LinkFinding(LinkKind.INVITE, "chat.whatsapp.com")] if blocked else [])


def test_invites_may_be_allowed() -> None:
    assert policy(block_invites=False).judge("https://chat.whatsapp.com/AbCdEfGhIjKlMnOp") == []


LABEL = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=12)


@st.composite
def disguised_domain(draw: st.DrawFn) -> tuple[str, str]:
    """Return (an ASCII domain, the same domain in mixed case and full width, any dots)."""
    domain = ".".join([*draw(st.lists(LABEL, min_size=1, max_size=3)), "com"])
    out = []
    for ch in domain:
        if ch == ".":
            out.append(draw(st.sampled_from([".", "。", "．", "｡"])))
            continue
        ch = ch.upper() if draw(st.booleans()) else ch
        out.append(chr(ord(ch) + 0xFEE0) if draw(st.booleans()) else ch)
    return domain, "".join(out)


@given(disguised_domain(), st.sampled_from(["", "https://", "HTTP://"]))
def test_a_disguised_domain_is_found_as_itself(pair: tuple[str, str], scheme: str) -> None:
    domain, variant = pair
    assert [d for d, _ in find_links(f"look {scheme}{variant}/x now")] == [domain]
