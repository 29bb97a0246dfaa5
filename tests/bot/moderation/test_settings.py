"""The ``moderation:`` section: the example file, overrides, and errors that name the field."""

from __future__ import annotations

import pytest
from botkit_plugin_moderation.settings import ModerationSettings

from botkit.bot import load_config
from botkit.bot.templates import PluginTemplates, TemplateEngine
from botkit.errors import ConfigError
from botkit.types.jid import JID

from .conftest import REPO, MakeBot


def example() -> ModerationSettings:
    """Return the example file's section, validated as the runtime validates it."""
    config = load_config(REPO / "bot.example.yaml", env={})
    settings = config.plugin_config("moderation", ModerationSettings)
    assert settings is not None
    return settings


def test_the_example_section_is_valid() -> None:
    settings = example()
    assert settings.groups == ["*"] and settings.anti_link.allow == ["example.org"]
    assert settings.banned_words.words == ["spamword"]
    assert (settings.warnings.kick_at, settings.warnings.decay_days) == (3, 30)


def test_an_override_is_merged_over_the_defaults() -> None:
    demo = example().overrides["Demo group"]
    assert (demo.flood.max_messages, demo.flood.per_seconds) == (10, 10)  # one field replaced
    assert demo.anti_link.allow == ["example.org"] and demo.welcome.rules.startswith("1. Be kind")


def test_domains_are_normalised_and_users_parsed() -> None:
    settings = ModerationSettings.model_validate(
        {"anti_link": {"allow": ["*.Exämple.ORG"]}, "exempt": ["+1 555 000 1111"]}
    )
    assert settings.anti_link.allow == ["xn--exmple-cua.org"]
    assert settings.exempt == [JID("15550001111", "s.whatsapp.net")]


@pytest.mark.parametrize(
    ("section", "where", "says"),
    [
        (
            {"banned_words": {"patterns": ["(unclosed"]}},
            "moderation.banned_words.patterns",
            "invalid",
        ),
        ({"rules": [{"patterns": ["(?P<x>a)"]}]}, "moderation.rules[0].patterns", "named groups"),
        ({"rules": [{"patterns": ["a*"]}]}, "moderation.rules[0].patterns", "matches empty text"),
        ({"rules": [{"patterns": [r"(a)\1"]}]}, "moderation.rules[0].patterns", "backreferences"),
        ({"rules": [{"patterns": ["(a)?(?(1)b|c)"]}]}, "moderation.rules[0]", "conditionals"),
        (
            {"anti_link": {"deny": ["not a domain"]}},
            "moderation.anti_link.deny",
            "expected a domain",
        ),
        ({"flood": {"max_messages": 0}}, "moderation.flood.max_messages", "greater than or equal"),
        ({"anti_link": {"action": "nuke"}}, "moderation.anti_link.action", "'delete_and_warn'"),
        ({"overrides": {"G": {"flood": {"per_seconds": -1}}}}, "moderation.overrides.G", "greater"),
        ({"welcom": {}}, "moderation.welcom", "unknown field"),
    ],
)
def test_errors_name_the_field(
    make_bot: MakeBot, section: dict[str, object], where: str, says: str
) -> None:
    with pytest.raises(ConfigError) as error:
        make_bot(**section)
    assert where in str(error.value) and says in str(error.value)


def test_the_example_bots_templates_override_the_defaults() -> None:
    engine = TemplateEngine(
        REPO / "templates", {"moderation": REPO / "plugins/moderation/templates"}
    )
    templates = PluginTemplates(engine, "moderation")
    user = JID("15551230001", "s.whatsapp.net")
    welcome = templates.render(
        example().welcome.template, members=[user], group="Demo group", rules="1. Be kind."
    )
    assert welcome.startswith("Hello @15551230001 👋 and welcome to Demo group!")
    assert "1. Be kind." in welcome
    warning = templates.render(
        example().warnings.template, user=user, count=1, kick_at=3, reasons="spam"
    )
    assert warning == (
        "⚠️ @15551230001: spam. Warning 1/3 — at 3 you are removed. Warnings expire after a while."
    )
    default = TemplateEngine(None, {"moderation": REPO / "plugins/moderation/templates"})
    assert (
        PluginTemplates(default, "moderation").render(
            "moderation/welcome.j2", members=[user], group="G", rules=""
        )
        == "Welcome to G, @15551230001!"
    )
