"""The ``moderation:`` config section: defaults for every moderated group, plus per-group overrides.

::

    moderation:
      groups: ["*"]                    # "*" or group names / JIDs
      anti_link: {action: delete_and_warn, allow: ["example.org"]}
      banned_words: {words: ["spamword"], action: delete}
      flood: {max_messages: 6, per_seconds: 10, action: warn}
      warnings: {kick_at: 3, decay_days: 30}
      overrides:
        "Demo group": {flood: {max_messages: 10}}

An override is merged into the defaults key by key (mappings merge, lists and values replace), then
validated as a whole, so an error names the override's line. Every regular expression and domain
is checked, and every policy set compiled (:func:`.engine.compile_policy`), here at config load.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from botkit.bot.config import UserId

from .text import ascii_domain

if TYPE_CHECKING:
    from .engine import PolicySet

__all__ = [
    "ActionName",
    "AntiLinkSettings",
    "FloodSettings",
    "MassMentionSettings",
    "ModerationSettings",
    "PolicySettings",
    "WarningSettings",
    "WelcomeSettings",
    "WordRule",
]

ActionName = Literal["log", "delete", "warn", "delete_and_warn", "kick", "delete_and_kick"]
"""What a broken rule leads to; ``log`` only writes the audit log."""

# A user pattern is spliced into one combined expression: these would change its meaning there.
_UNSPLICEABLE = re.compile(r"\(\?P[<=]|\(\?<\w|\(\?\(|\\[1-9]|\\g<|^\(\?[aiLmsux]+\)")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AntiLinkSettings(_Model):
    """``anti_link``: links and WhatsApp group invites.

    The most specific of ``allow`` / ``deny`` decides (a domain covers its subdomains); links to
    other domains follow ``other_links``. ``invites`` covers chat.whatsapp.com links to groups
    other than this one (``own_invites``: this group's invite codes, always allowed).
    """

    enabled: bool = True
    action: ActionName = "delete_and_warn"
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    other_links: Literal["block", "allow"] = "block"
    invites: Literal["block", "allow"] = "block"
    own_invites: list[str] = Field(default_factory=list)

    @field_validator("allow", "deny")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        domains = []
        for value in values:
            domain = ascii_domain(value.strip().removeprefix("*."))
            if domain is None or "." not in domain:
                raise ValueError(f"expected a domain like example.org, got {value!r}")
            domains.append(domain)
        return domains


class WordRule(_Model):
    """Words or phrases (whole words, any case, any accents) and regular expressions.

    Patterns are matched case-insensitively against the folded text (accents removed), so write
    them without accents.
    """

    name: str = "banned words"
    enabled: bool = True
    words: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    action: ActionName = "delete"

    @field_validator("words")
    @classmethod
    def _words(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip():
                raise ValueError("expected non-empty words")
        return values

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                compiled = re.compile(value)
            except re.error as error:
                raise ValueError(f"invalid regular expression {value!r}: {error}") from None
            if _UNSPLICEABLE.search(value):
                raise ValueError(
                    f"{value!r}: patterns may not use named groups, backreferences, conditionals "
                    "or global flags (matching is already case-insensitive)"
                )
            if compiled.match(""):
                raise ValueError(f"{value!r} matches empty text, so it would match everything")
        return values


class FloodSettings(_Model):
    """``flood``: more than ``max_messages`` from one member within ``per_seconds``."""

    enabled: bool = True
    max_messages: int = Field(default=6, ge=1)
    per_seconds: float = Field(default=10.0, gt=0)
    action: ActionName = "warn"


class MassMentionSettings(_Model):
    """``mass_mentions``: a message mentioning more than ``max_mentions`` people."""

    enabled: bool = True
    max_mentions: int = Field(default=5, ge=0)
    action: ActionName = "delete_and_warn"


class WarningSettings(_Model):
    """``warnings``: the ladder. A warning expires ``decay_days`` after it was given."""

    kick_at: int = Field(default=3, ge=1)
    decay_days: float = Field(default=30.0, gt=0)
    template: str = "warn.j2"


class WelcomeSettings(_Model):
    """``welcome``: greet new members with ``template``; ``rules`` is shown in it (and !rules)."""

    enabled: bool = True
    template: str = "welcome.j2"
    rules: str = ""


class PolicySettings(_Model):
    """Everything a group's moderation is made of (the defaults, or one group's merged view).

    ``dry_run`` covers what the policies decide (logged and audited, nothing done); the admin
    commands always act. ``exempt_admins: false`` moderates group admins too (never the bot's
    owners and admins). ``exempt`` lists people who are never moderated.
    """

    enabled: bool = True
    dry_run: bool = False
    exempt_admins: bool = True
    exempt: list[UserId] = Field(default_factory=list)
    anti_link: AntiLinkSettings = AntiLinkSettings()
    banned_words: WordRule = WordRule()
    rules: list[WordRule] = Field(default_factory=list)
    flood: FloodSettings = FloodSettings()
    mass_mentions: MassMentionSettings = MassMentionSettings()
    warnings: WarningSettings = WarningSettings()
    welcome: WelcomeSettings = WelcomeSettings()


class ModerationSettings(PolicySettings):
    """The ``moderation`` section: ``groups`` to moderate, defaults, and ``overrides`` per group.

    A group is moderated when ``groups`` names it (or is ``["*"]``) or it has an override; an
    override key is a group JID or a group name (subject, compared case-insensitively).
    """

    groups: list[str] = Field(default_factory=lambda: ["*"])
    audit_size: int = Field(default=200, ge=1, le=5000)
    overrides: dict[str, PolicySettings] = Field(default_factory=dict)
    _compiled: dict[str | None, PolicySet] = PrivateAttr(default_factory=dict)

    def compiled(self, override: str | None = None) -> PolicySet:
        """Return the compiled defaults, or the compiled override named ``override``."""
        return self._compiled[override]

    @model_validator(mode="before")
    @classmethod
    def _merge_overrides(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("overrides"), dict):
            return data
        base = {key: value for key, value in data.items() if key in PolicySettings.model_fields}
        merged = {
            key: _merged(base, override) if isinstance(override, dict) else override
            for key, override in data["overrides"].items()
        }
        return {**data, "overrides": merged}

    @model_validator(mode="after")
    def _compile(self) -> ModerationSettings:
        from .engine import compile_policy  # the engine is built on these models

        try:
            self._compiled = {None: compile_policy(self)} | {
                key: compile_policy(value) for key, value in self.overrides.items()
            }
        except re.error as error:  # only a combination of valid patterns can get here
            raise ValueError(f"the rules do not combine into one expression: {error}") from None
        return self


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``override`` merged in: mappings recursively, anything else replaced."""
    result = dict(base)
    for key, value in override.items():
        old = result.get(key)
        result[key] = (
            _merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        )
    return result
