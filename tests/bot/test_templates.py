"""Templates: user files over plugin defaults, strict undefined, sandbox, filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from botkit.bot.templates import PluginTemplates, TemplateEngine
from botkit.errors import PluginError
from botkit.types.jid import JID


@pytest.fixture
def engine(tmp_path: Path) -> TemplateEngine:
    user = tmp_path / "templates"
    (user / "moderation").mkdir(parents=True)
    (user / "moderation" / "welcome.j2").write_text("Hello from the user, {{ name }}")
    defaults = tmp_path / "moderation_defaults"
    defaults.mkdir()
    (defaults / "welcome.j2").write_text("Default welcome, {{ name }}")
    (defaults / "rules.j2").write_text("Default rules")
    return TemplateEngine(user, {"moderation": defaults}, timezone="Europe/Berlin")


def test_user_templates_override_plugin_defaults(engine: TemplateEngine) -> None:
    assert engine.render("moderation/welcome.j2", {"name": "Ann"}) == "Hello from the user, Ann"
    assert engine.render("moderation/rules.j2", {}) == "Default rules"


def test_a_plugin_renders_its_templates_by_short_name(engine: TemplateEngine) -> None:
    templates = PluginTemplates(engine, "moderation")
    assert templates.render("welcome.j2", name="Bo") == "Hello from the user, Bo"


def test_a_missing_template_is_named(engine: TemplateEngine) -> None:
    with pytest.raises(PluginError, match=r"template not found: nope\.j2"):
        engine.render("nope.j2", {})


def test_undefined_variables_are_errors(engine: TemplateEngine) -> None:
    with pytest.raises(PluginError, match=r"moderation/welcome\.j2: 'name' is undefined"):
        engine.render("moderation/welcome.j2", {})


def test_the_environment_is_sandboxed(engine: TemplateEngine) -> None:
    with pytest.raises(PluginError):
        engine.render_string("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_mention_filter(engine: TemplateEngine) -> None:
    user = JID("15550001111", "s.whatsapp.net")
    text = engine.render_string(
        "Hi {{ user | mention }} and {{ '+1 555 000 2222' | mention }}", {"user": user}
    )
    assert text == "Hi @15550001111 and @15550002222"


def test_date_filter_uses_the_bot_time_zone(engine: TemplateEngine) -> None:
    moment = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert engine.render_string("{{ when | date }}", {"when": moment}) == "2026-07-01 14:00"
    assert engine.render_string("{{ 0 | date('%H:%M %Z') }}", {}) == "01:00 CET"
