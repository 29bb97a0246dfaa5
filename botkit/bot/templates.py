"""Jinja2 templates: sandboxed, strict about undefined names, user files over plugin defaults.

Template names are paths: ``moderation/welcome.j2`` is looked up first in the user's templates
directory, then as ``welcome.j2`` in the ``templates/`` folder shipped beside the ``moderation``
plugin. Filters: ``mention`` (a JID or number as ``@number``, which the builder turns into a real
mention) and ``date`` (a datetime or epoch seconds, shown in the bot's time zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from botkit.errors import PluginError
from botkit.types.jid import JID

__all__ = ["PluginTemplates", "TemplateEngine"]

_DEFAULT_DATE_FORMAT = "%Y-%m-%d %H:%M"


class TemplateEngine:
    """The bot's one template environment.

    ``user_dir`` (may be missing) overrides ``plugin_dirs`` (plugin name -> its templates folder).
    """

    def __init__(
        self,
        user_dir: Path | None,
        plugin_dirs: Mapping[str, Path],
        timezone: str = "UTC",
    ) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if user_dir is not None:
            loaders.append(jinja2.FileSystemLoader(user_dir))
        prefixed = {name: jinja2.FileSystemLoader(path) for name, path in plugin_dirs.items()}
        loaders.append(jinja2.PrefixLoader(prefixed))
        self._zone = ZoneInfo(timezone)
        self._env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )
        self._env.filters["mention"] = _mention
        self._env.filters["date"] = self._date

    def render(self, names: str | Sequence[str], variables: Mapping[str, Any]) -> str:
        """Render the first template of ``names`` that exists, with ``variables``.

        Returns the text. Raises PluginError naming the template when none exists, a variable is
        undefined, or rendering fails.
        """
        choices: list[str | jinja2.Template] = [names] if isinstance(names, str) else [*names]
        try:
            template = self._env.select_template(choices)
        except jinja2.TemplateNotFound as error:
            wanted = " or ".join(str(choice) for choice in choices)
            raise PluginError(f"template not found: {wanted}") from error
        except jinja2.TemplateSyntaxError as error:
            raise PluginError(
                f"template {error.name} line {error.lineno}: {error.message}"
            ) from error
        return self._run(template, variables)

    def render_string(self, source: str, variables: Mapping[str, Any]) -> str:
        """Render template text ``source`` (a config value) with ``variables``.

        Returns the text. Raises PluginError when the text is invalid or a variable is undefined.
        """
        try:
            template = self._env.from_string(source)
        except jinja2.TemplateSyntaxError as error:
            raise PluginError(f"template {source!r}: {error.message}") from error
        return self._run(template, variables)

    def _run(self, template: jinja2.Template, variables: Mapping[str, Any]) -> str:
        try:
            return template.render(variables)
        except jinja2.UndefinedError as error:
            raise PluginError(f"template {template.name or '<text>'}: {error.message}") from error
        except jinja2.TemplateError as error:
            raise PluginError(f"template {template.name or '<text>'}: {error}") from error

    def _date(self, value: dt.datetime | float, fmt: str = _DEFAULT_DATE_FORMAT) -> str:
        if isinstance(value, dt.datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        else:
            moment = dt.datetime.fromtimestamp(value, dt.UTC)
        return moment.astimezone(self._zone).strftime(fmt)


class PluginTemplates:
    """A plugin's view of the engine: ``render("x.j2")`` tries ``<plugin>/x.j2``, then ``x.j2``."""

    def __init__(self, engine: TemplateEngine, plugin: str) -> None:
        self._engine = engine
        self._plugin = plugin

    def render(self, name: str, /, **variables: Any) -> str:
        """Render template ``name`` (plugin-relative, else global); see TemplateEngine.render."""
        return self._engine.render([f"{self._plugin}/{name}", name], variables)

    def render_string(self, source: str, /, **variables: Any) -> str:
        """Render template text ``source``; see :meth:`TemplateEngine.render_string`."""
        return self._engine.render_string(source, variables)


def _mention(value: JID | str) -> str:
    if isinstance(value, JID):
        return f"@{value.user}"
    digits = "".join(ch for ch in value.partition("@")[0] if ch.isdigit())
    return f"@{digits}"
