"""The bot's YAML configuration: one pydantic model per core section, one per plugin.

Sections:

* core: ``account``, ``store``, ``server``, ``pair_with``, ``bot``, ``plugins`` (models below);
* plugin sections: a top-level key named after an enabled plugin holds that plugin's config. It is
  kept as parsed here and validated against the plugin's own model when the plugin is loaded
  (:meth:`Config.plugin_config`), with the same file/line/field error messages.
* Any other top-level key is an error (a misspelt section must not be silently ignored).

``${NAME}`` in any string value is replaced by the environment variable (``${NAME:-default}``
gives a default); relative paths are relative to the config file's folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    ValidationError,
    field_validator,
)

from botkit.bot.config_source import SourceMap, interpolate, parse_yaml, validation_problems
from botkit.errors import ConfigError, DecodeError
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = [
    "BotSettings",
    "Config",
    "CoreConfig",
    "ExternalServer",
    "PluginSettings",
    "RateLimitSettings",
    "StoreSettings",
    "config_from_dict",
    "load_config",
    "plugin_name",
]

M = TypeVar("M", bound=BaseModel)


def _phone(value: object) -> str:
    if not isinstance(value, str | int):
        raise ValueError("expected a phone number like +15550001111")
    text = str(value)
    digits = "".join(ch for ch in text if ch.isdigit())
    if not 5 <= len(digits) <= 15 or any(ch not in "+0123456789 -()." for ch in text):
        raise ValueError(f"expected a phone number like +15550001111, got {text!r}")
    return digits


def _user(value: object) -> JID:
    if isinstance(value, str) and "@" in value:
        try:
            return JID.parse(value).to_non_ad()
        except DecodeError:
            raise ValueError(f"expected a phone number or a user JID, got {value!r}") from None
    return JID(_phone(value), DEFAULT_USER_SERVER)


PhoneNumber = Annotated[str, PlainValidator(_phone)]
UserId = Annotated[JID, PlainValidator(_user)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    """``store``: where the account's state lives (``:memory:`` keeps it in memory)."""

    path: str = "./data/botkit.db"


class ExternalServer(_Section):
    """``server: {url, root_public_key, control_url}``: a sandbox running elsewhere."""

    url: str
    root_public_key: str
    control_url: str | None = None

    @field_validator("url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not re.match(r"wss?://[^/\s]+", value):
            raise ValueError(f"expected a ws:// or wss:// URL, got {value!r}")
        return value

    @field_validator("root_public_key")
    @classmethod
    def _hex_key(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", value):
            raise ValueError(f"expected 64 hex digits (a 32-byte key), got {value!r}")
        return value.lower()

    @field_validator("control_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^/\s]+", value):
            raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
        return value


def _server_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "name"
    if isinstance(value, dict | ExternalServer):
        return "external"
    return None


ServerSetting = Annotated[
    Annotated[Literal["sandbox", "whatsapp"], Tag("name")]
    | Annotated[ExternalServer, Tag("external")],
    Discriminator(
        _server_kind,
        custom_error_type="server",
        custom_error_message="expected sandbox, whatsapp or {url, root_public_key, control_url}",
    ),
]


class RateLimitSettings(_Section):
    """``bot.rate_limit``: outbound limits (see :mod:`botkit.bot.ratelimit`)."""

    messages_per_minute: int = Field(default=40, gt=0)
    per_chat_per_minute: int = Field(default=12, gt=0)
    jitter_ms: tuple[int, int] = (300, 1200)
    typing: bool = False

    @field_validator("jitter_ms")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 0 <= value[0] <= value[1]:
            raise ValueError(f"expected [low, high] with 0 <= low <= high, got {list(value)}")
        return value


class BotSettings(_Section):
    """``bot``: the bot's name, command prefixes, owners and admins, time zone, limits."""

    name: str = "botkit"
    prefixes: list[str] = Field(default_factory=lambda: ["!"], min_length=1)
    owners: list[UserId] = Field(default_factory=list)
    admins: list[UserId] = Field(default_factory=list)
    timezone: str = "UTC"
    templates: str = "./templates"
    rate_limit: RateLimitSettings = RateLimitSettings()

    @field_validator("prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        for prefix in value:
            if not prefix or any(ch.isspace() for ch in prefix):
                raise ValueError(f"expected non-empty prefixes without spaces, got {prefix!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA time zone like Europe/Berlin, got {value!r}"
            ) from None
        return value


class PluginSettings(_Section):
    """``plugins``: which plugins to load, and extra folders to find them in."""

    enabled: list[str] = Field(default_factory=lambda: ["commands"])
    paths: list[str] = Field(default_factory=lambda: ["./plugins"])


class CoreConfig(_Section):
    """The core sections of the file."""

    account: str = "main"
    store: StoreSettings = StoreSettings()
    server: ServerSetting = "sandbox"
    pair_with: PhoneNumber | None = None
    bot: BotSettings = BotSettings()
    plugins: PluginSettings = PluginSettings()

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            raise ValueError(f"expected letters, digits, '.', '_' or '-', got {value!r}")
        return value


def plugin_name(entry: str) -> str:
    """Return the plugin name of a ``plugins.enabled`` entry (name, module path or .py file)."""
    if entry.endswith(".py"):
        return Path(entry).stem
    return entry.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class Config:
    """A loaded configuration: the validated core, the raw plugin sections, and their source."""

    core: CoreConfig
    sections: Mapping[str, Any]
    source: SourceMap
    base_dir: Path

    def resolve(self, path: str) -> Path:
        """Return ``path`` resolved against the config file's folder."""
        return (self.base_dir / Path(path).expanduser()).resolve()

    def plugin_config(self, plugin: str, model: type[M] | None) -> M | None:
        """Validate the section of ``plugin`` against ``model``; return it (``None``: no model).

        Raises ConfigError naming file, line and field when the section does not fit.
        """
        section = self.sections.get(plugin)
        if model is None:
            if section is not None:
                raise self.source.error([((plugin,), "this plugin takes no configuration")])
            return None
        try:
            return model.model_validate(section if section is not None else {})
        except ValidationError as error:
            problems = validation_problems(error, section or {}, model, (plugin,))
            raise self.source.error(problems) from None


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the YAML file at ``path`` (``env`` defaults to ``os.environ``).

    Returns the Config. Raises ConfigError with a readable message when the file cannot be read or
    any value is invalid.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{file}: cannot read the configuration: {error.strerror}") from None
    data, source = parse_yaml(text, str(file))
    return _build(data, source, file.parent, env)


def config_from_dict(
    data: Mapping[str, Any],
    *,
    base_dir: Path = Path("."),
    name: str = "<config>",
    env: Mapping[str, str] | None = None,
) -> Config:
    """Validate ``data`` shaped like the YAML file; see :func:`load_config`."""
    return _build(dict(data), SourceMap(name), base_dir, env)


def _build(data: Any, source: SourceMap, base_dir: Path, env: Mapping[str, str] | None) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise source.error([((), f"expected a mapping of sections, got {type(data).__name__}")])
    data = interpolate(data, os.environ if env is None else env, source)
    core_keys = set(CoreConfig.model_fields)
    core = {key: value for key, value in data.items() if key in core_keys}
    try:
        config = CoreConfig.model_validate(core)
    except ValidationError as error:
        raise source.error(validation_problems(error, core, CoreConfig)) from None
    if config.pair_with is not None and config.server == "whatsapp":
        message = "works only with a sandbox server (for WhatsApp, run `botkit pair`)"
        raise source.error([(("pair_with",), message)])
    if (
        config.pair_with is not None
        and isinstance(config.server, ExternalServer)
        and config.server.control_url is None
    ):
        message = "needs the sandbox's control API: add server.control_url"
        raise source.error([(("pair_with",), message)])
    enabled = {plugin_name(entry) for entry in config.plugins.enabled}
    sections = {key: value for key, value in data.items() if key not in core_keys}
    unknown = [
        (
            (str(key),),
            f"unknown section (expected a core section {sorted(core_keys)} "
            f"or an enabled plugin {sorted(enabled)})",
        )
        for key in sections
        if key not in enabled
    ]
    if unknown:
        raise source.error(unknown)
    return Config(config, sections, source, base_dir.resolve())
