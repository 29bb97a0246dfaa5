"""The YAML config: the example loads, broken files say file/line/field/expectation, ${ENV}."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from botkit.bot import load_config
from botkit.bot.config import ExternalServer
from botkit.errors import ConfigError
from botkit.types.jid import JID

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bot.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def _error(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text), env=env or {})
    error = info.value  # no chained pydantic/yaml traceback behind the readable message
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    return str(info.value)


def test_the_example_loads() -> None:
    config = load_config(REPO / "bot.example.yaml", env={})
    core = config.core
    assert (core.account, core.server, core.pair_with) == ("main", "sandbox", "15550001111")
    assert core.bot.prefixes == ["!", "/"]
    assert core.bot.owners == [JID("15550002222", "s.whatsapp.net")]
    assert core.bot.rate_limit.jitter_ms == (300, 1200)
    assert core.plugins.enabled == ["commands", "scheduler", "moderation"]
    assert set(config.sections) == {"scheduler", "moderation"}
    assert config.resolve(core.store.path) == REPO / "data" / "botkit.db"


def test_an_empty_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, ""), env={})
    assert config.core.server == "sandbox" and config.core.plugins.enabled == ["commands"]


def test_an_external_sandbox(tmp_path: Path) -> None:
    key = "ab" * 32
    config = load_config(
        _write(
            tmp_path,
            f"""
            server:
              url: ws://127.0.0.1:8765/ws/chat
              root_public_key: {key.upper()}
              control_url: http://127.0.0.1:8765
            """,
        ),
        env={},
    )
    assert config.core.server == ExternalServer(
        url="ws://127.0.0.1:8765/ws/chat", root_public_key=key, control_url="http://127.0.0.1:8765"
    )


BROKEN = [
    pytest.param(
        "bot:\n  name: [unclosed\n",
        "bot.yaml:3: not valid YAML: expected ',' or ']'",
        id="yaml-syntax",
    ),
    pytest.param(
        "- just\n- a list\n", "(top level): expected a mapping of sections", id="not-a-mapping"
    ),
    pytest.param(
        "moderaton: {}\n",
        "line 1: moderaton: unknown section (expected a core section",
        id="misspelt-section",
    ),
    pytest.param(
        "bot:\n  prefixs: ['!']\n",
        "line 2: bot.prefixs: unknown field (expected one of: admins, name, owners, prefixes",
        id="unknown-field",
    ),
    pytest.param(
        "server: sandbx\n",
        "line 1: server: expected 'sandbox' or 'whatsapp' (got 'sandbx')",
        id="server-name",
    ),
    pytest.param(
        "server: 42\n",
        "line 1: server: expected sandbox, whatsapp or {url, root_public_key, control_url}",
        id="server-type",
    ),
    pytest.param(
        "server:\n  url: http://x\n",
        "line 2: server.url: expected a ws:// or wss:// URL, got 'http://x'",
        id="server-url",
    ),
    pytest.param(
        "server:\n  url: ws://x\n  root_public_key: abc\n",
        "line 3: server.root_public_key: expected 64 hex digits (a 32-byte key), got 'abc'",
        id="server-key",
    ),
    pytest.param(
        "server:\n  url: ws://x\n",
        "line 1: server.root_public_key: required, but missing",
        id="server-missing-key",
    ),
    pytest.param(
        "server: whatsapp\npair_with: '15550001111'\n",
        "line 2: pair_with: works only with a sandbox server",
        id="pair-with-whatsapp",
    ),
    pytest.param(
        "server: {url: 'ws://x', root_public_key: '%s'}\npair_with: '15550001111'\n" % ("ab" * 32),
        "line 2: pair_with: needs the sandbox's control API: add server.control_url",
        id="pair-with-no-control-url",
    ),
    pytest.param(
        "pair_with: call me\n",
        "line 1: pair_with: expected a phone number like +15550001111, got 'call me'",
        id="pair-with-number",
    ),
    pytest.param(
        "bot:\n  owners:\n    - '+15550001111'\n    - bob\n",
        "line 4: bot.owners[1]: expected a phone number like +15550001111, got 'bob'",
        id="owner",
    ),
    pytest.param(
        "bot:\n  prefixes: []\n",
        "line 2: bot.prefixes: List should have at least 1 item",
        id="no-prefix",
    ),
    pytest.param(
        "bot:\n  prefixes: ['! ']\n",
        "line 2: bot.prefixes: expected non-empty prefixes without spaces, got '! '",
        id="prefix-space",
    ),
    pytest.param(
        "bot:\n  rate_limit:\n    messages_per_minute: fast\n",
        "line 3: bot.rate_limit.messages_per_minute: expected a valid integer",
        id="wrong-type",
    ),
    pytest.param(
        "bot:\n  rate_limit:\n    per_chat_per_minute: 0\n",
        "line 3: bot.rate_limit.per_chat_per_minute: expected greater than 0 (got 0)",
        id="not-positive",
    ),
    pytest.param(
        "bot:\n  rate_limit:\n    jitter_ms: [900, 100]\n",
        "line 3: bot.rate_limit.jitter_ms: expected [low, high] with 0 <= low <= high",
        id="jitter-order",
    ),
    pytest.param(
        "bot:\n  timezone: Mars/Base\n",
        "line 2: bot.timezone: expected an IANA time zone like Europe/Berlin, got 'Mars/Base'",
        id="timezone",
    ),
    pytest.param(
        "account: 'my account'\n",
        "line 1: account: expected letters, digits, '.', '_' or '-'",
        id="account",
    ),
    pytest.param(
        "store:\n  path: ${DB_PATH}\n",
        "line 2: store.path: environment variable DB_PATH is not set",
        id="missing-env",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_broken_config_gives_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    message = _error(tmp_path, text)
    assert message.startswith(str(tmp_path / "bot.yaml"))
    assert expected in message


def test_all_problems_are_listed_in_line_order(tmp_path: Path) -> None:
    message = _error(tmp_path, "server: sandbx\nbot:\n  timezone: Mars/Base\n  prefixs: []\n")
    lines = message.splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == ["line 1", "line 3", "line 4"]


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: cannot read the configuration"):
        load_config(tmp_path / "nope.yaml")


def test_env_interpolation(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        account: ${ACCOUNT}
        store: {path: "${DATA:-./data}/bot.db"}
        bot: {name: "costs $$5 at ${PLACE}"}
        """,
    )
    config = load_config(path, env={"ACCOUNT": "prod", "PLACE": "home"})
    assert config.core.account == "prod"
    assert config.core.store.path == "./data/bot.db"
    assert config.core.bot.name == "costs $5 at home"


def test_env_values_are_validated_like_literal_ones(tmp_path: Path) -> None:
    message = _error(tmp_path, "bot:\n  timezone: ${TZ}\n", env={"TZ": "Nowhere/Land"})
    assert "line 2: bot.timezone: expected an IANA time zone" in message


def test_plugin_sections_are_kept_for_enabled_plugins(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "plugins: {enabled: [commands, ./x/weather.py]}\nweather: {city: Berlin}\n"
    )
    assert load_config(path, env={}).sections == {"weather": {"city": "Berlin"}}
