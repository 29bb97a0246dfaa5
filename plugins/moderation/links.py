"""Finding links in a message and judging them against an anti-link policy.

A link is ``scheme://host...``, ``www.host...``, or a bare ``host.tld`` (``example.com/x``) whose
top-level domain is a known one (so ``main.py`` or ``v1.2`` are not links). Hosts may be written
in any case, in Unicode, in punycode, or with full-width dots; all compare as
:func:`~.text.ascii_domain`. ``chat.whatsapp.com/<code>`` is a group invite.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .text import DOTS, ascii_domain

__all__ = ["INVITE_HOST", "LinkFinding", "LinkKind", "LinkPolicy", "find_links"]

INVITE_HOST = "chat.whatsapp.com"

_DOT = f"[.{DOTS}]"
_LINK = re.compile(
    rf"""
    (?<![\w@{DOTS}.-])                        # not inside a word or an e-mail address
    (?:(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^\s/@]+@)?)?
    (?P<host>(?:[\w-]+{_DOT})+[\w-]+)
    (?::\d{{1,5}})?
    (?P<path>[/?#]\S*)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_INVITE_CODE = re.compile(r"/(?:invite/)?([A-Za-z0-9]{10,})")

# Top-level domains that make a bare ``name.tld`` a link: the generic ones people use, and the
# country codes link shorteners and spam live on. Others count with a scheme or ``www.``.
_TLDS = """
    com net org info biz edu gov mil int io co me app dev xyz online site top club shop store
    live link click page blog news tech today world life space website win bid vip pro icu buzz
    cloud fun chat social email tk ml ga cf gq ly gl to tv cc ws su ru ua by kz de uk fr es it
    nl be ch at se no dk fi pl cz pt gr ro hu ie us ca mx br ar cl pe ve in pk bd id my ph sg th
    vn cn hk tw jp kr au nz za ng ke eg ma tr ir sa ae il
"""
KNOWN_TLDS = frozenset(_TLDS.split())


class LinkKind(enum.Enum):
    """Why a link breaks the policy."""

    LINK = "link"  # a link to a domain that is not allowed
    INVITE = "invite"  # an invite to another WhatsApp group


@dataclass(frozen=True, slots=True)
class LinkFinding:
    """A link that breaks the policy: its kind and the domain (never the rest of the link)."""

    kind: LinkKind
    domain: str


def find_links(text: str, tlds: frozenset[str] = KNOWN_TLDS) -> Iterator[tuple[str, str]]:
    """Yield (ASCII domain, path) for each link in ``text``; ``tlds`` make bare domains links.

    After a scheme, a host that is not a valid domain is yielded as ``"?"`` (an obfuscated host
    is suspicious: it is blocked unless ``other_links`` allows links).
    """
    for match in _LINK.finditer(text):
        domain = ascii_domain(match.group("host"))
        path = match.group("path") or ""
        if match.group("scheme") is not None:
            yield domain or "?", path
        elif domain is not None and (
            domain.startswith("www.") or domain.rpartition(".")[2] in tlds
        ):
            yield domain, path


@dataclass(frozen=True, slots=True)
class LinkPolicy:
    """A compiled anti-link policy: domain -> allowed?, plus what to do with everything else."""

    verdicts: dict[str, bool]
    block_others: bool
    block_invites: bool
    own_invites: frozenset[str]
    tlds: frozenset[str]

    @classmethod
    def build(
        cls,
        allow: Iterable[str],
        deny: Iterable[str],
        *,
        block_others: bool,
        block_invites: bool,
        own_invites: Iterable[str] = (),
    ) -> LinkPolicy:
        """Return the policy; ``allow`` and ``deny`` are ASCII domains (deny wins a tie)."""
        verdicts = dict.fromkeys(allow, True) | dict.fromkeys(deny, False)
        tlds = KNOWN_TLDS | {domain.rpartition(".")[2] for domain in verdicts}
        return cls(verdicts, block_others, block_invites, frozenset(own_invites), tlds)

    def judge(self, text: str, own_invites: frozenset[str] = frozenset()) -> list[LinkFinding]:
        """Return the links in ``text`` that break the policy (``own_invites``: this group's)."""
        findings = []
        for domain, path in find_links(text, self.tlds):
            if domain == INVITE_HOST:
                code = _INVITE_CODE.match(path)
                mine = code is not None and code.group(1) in (own_invites | self.own_invites)
                if self.block_invites and not mine:
                    findings.append(LinkFinding(LinkKind.INVITE, domain))
                continue
            if not self._allowed(domain):
                findings.append(LinkFinding(LinkKind.LINK, domain))
        return findings

    def _allowed(self, domain: str) -> bool:
        """Return the verdict of the most specific listed parent of ``domain``, else the default."""
        while True:
            verdict = self.verdicts.get(domain)
            if verdict is not None:
                return verdict
            _, dot, domain = domain.partition(".")
            if not dot:
                return not self.block_others
