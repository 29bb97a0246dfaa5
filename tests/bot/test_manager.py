"""Plugin loading: folders, module paths, entry points, and errors that name the plugin."""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from botkit.bot import PluginManager, config_from_dict, hookimpl, load_config
from botkit.bot.config import Config
from botkit.errors import ConfigError, PluginError

GOOD = """
from botkit import command, hookimpl

@command("hello")
async def hello(ctx):
    pass
"""


def _config(tmp_path: Path, enabled: list[str], **sections: object) -> Config:
    data = {"plugins": {"enabled": enabled, "paths": ["./plugins"]}, **sections}
    return config_from_dict(data, base_dir=tmp_path)


def _plugin(tmp_path: Path, name: str, source: str) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def _load(tmp_path: Path, enabled: list[str], **sections: object) -> PluginManager:
    manager = PluginManager(entry_points=list)
    manager.load_all(_config(tmp_path, enabled, **sections))
    return manager


def test_loads_a_single_file_plugin_from_a_folder(tmp_path: Path) -> None:
    _plugin(tmp_path, "greeter", GOOD)
    manager = _load(tmp_path, ["greeter"])
    assert manager.commands.find("hello") is not None
    assert manager.plugins["greeter"].origin.endswith("greeter.py")


def test_loads_a_package_plugin_with_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "plugins" / "pkg"
    package.mkdir(parents=True)
    (package / "helpers.py").write_text("ANSWER = 'pong'\n")
    (package / "__init__.py").write_text("from .helpers import ANSWER\n")
    (package / "templates").mkdir()
    manager = _load(tmp_path, ["pkg"])
    assert manager.plugins["pkg"].templates_dir == package / "templates"


def test_loads_a_file_path_and_a_module_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "solo.py").write_text(textwrap.dedent(GOOD))
    lib = tmp_path / "lib" / "mybot"
    lib.mkdir(parents=True)
    (lib / "__init__.py").write_text("")
    (lib / "extra.py").write_text("x = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    manager = _load(tmp_path, ["./solo.py", "mybot.extra"])
    assert set(manager.plugins) == {"solo", "extra"}
    sys.modules.pop("mybot.extra", None)
    sys.modules.pop("mybot", None)


def test_loads_an_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("third_party_plugin")
    monkeypatch.setitem(sys.modules, "third_party_plugin", module)
    point = importlib.metadata.EntryPoint("third", "third_party_plugin", "botkit.plugins")
    manager = PluginManager(entry_points=lambda: [point])
    manager.load_all(_config(tmp_path, ["third"]))
    assert manager.plugins["third"].plugin is module


def test_missing_plugin_names_it_and_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as info:
        _load(tmp_path, ["nothere"])
    message = str(info.value)
    assert "plugin 'nothere' not found" in message
    assert str(tmp_path / "plugins") in message and "botkit.plugins" in message


def test_syntax_error_names_plugin_file_and_line(tmp_path: Path) -> None:
    path = _plugin(tmp_path, "broken", "x = 1\ndef oops(:\n")
    with pytest.raises(PluginError) as info:
        _load(tmp_path, ["broken"])
    assert f"plugin 'broken' ({path}) failed to load: {path}:2: SyntaxError" in str(info.value)


def test_import_time_exception_names_plugin_and_cause(tmp_path: Path) -> None:
    _plugin(tmp_path, "crashy", "import json\nraise RuntimeError('no database')\n")
    with pytest.raises(PluginError) as info:
        _load(tmp_path, ["crashy"])
    assert "plugin 'crashy'" in str(info.value)
    assert "crashy.py:2: RuntimeError: no database" in str(info.value)


def test_all_failures_are_reported_together(tmp_path: Path) -> None:
    _plugin(tmp_path, "crashy", "raise RuntimeError('x')\n")
    with pytest.raises(PluginError) as info:
        _load(tmp_path, ["crashy", "nothere"])
    assert "'crashy'" in str(info.value) and "'nothere'" in str(info.value)


def test_check_pending_catches_a_misspelt_hook(tmp_path: Path) -> None:
    _plugin(
        tmp_path,
        "typo",
        """
        from botkit import hookimpl

        @hookimpl
        async def botkit_mesage(event, ctx):
            pass
        """,
    )
    with pytest.raises(PluginError) as info:
        _load(tmp_path, ["typo"])
    assert "plugin 'typo': unknown hook 'botkit_mesage' (did you mean botkit_message?)" in str(
        info.value
    )


def test_an_unmarked_hook_function_is_an_error(tmp_path: Path) -> None:
    _plugin(tmp_path, "unmarked", "async def botkit_message(event, ctx):\n    pass\n")
    with pytest.raises(PluginError, match="botkit_message is not marked @hookimpl"):
        _load(tmp_path, ["unmarked"])


def test_a_hook_with_an_unknown_argument_names_the_plugin(tmp_path: Path) -> None:
    _plugin(
        tmp_path,
        "wrongarg",
        "from botkit import hookimpl\n@hookimpl\ndef botkit_message(evnt):\n    pass\n",
    )
    with pytest.raises(PluginError, match=r"plugin 'wrongarg' .* is invalid: .*evnt"):
        _load(tmp_path, ["wrongarg"])


def test_hook_wrappers_are_refused() -> None:
    class Wrapper:
        @hookimpl(wrapper=True)
        def botkit_message(self):  # type: ignore[no-untyped-def]
            return (yield)

    with pytest.raises(PluginError, match="botkit_message may not be a hook wrapper"):
        PluginManager(entry_points=list).register(Wrapper(), "wrapper")


def test_a_command_defined_twice_names_both_plugins(tmp_path: Path) -> None:
    _plugin(tmp_path, "one", GOOD)
    _plugin(tmp_path, "two", GOOD)
    with pytest.raises(PluginError, match="command 'hello' is already defined by plugin 'one'"):
        _load(tmp_path, ["one", "two"])


def test_a_bad_command_declaration_fails_the_load(tmp_path: Path) -> None:
    _plugin(
        tmp_path,
        "badcmd",
        """
        from botkit import Arg, command

        @command("greet", args=[Arg("name")])
        async def greet(ctx, nmae):
            pass
        """,
    )
    with pytest.raises(PluginError, match=r"plugin 'badcmd'.*greet takes \(nmae\)"):
        _load(tmp_path, ["badcmd"])


CONFIGURED = """
from pydantic import BaseModel
from botkit import hookimpl

class Settings(BaseModel):
    greeting: str
    times: int = 1

@hookimpl
def botkit_config_model():
    return Settings
"""


def test_a_plugin_section_is_validated_by_its_model(tmp_path: Path) -> None:
    _plugin(tmp_path, "greeter", CONFIGURED)
    manager = _load(tmp_path, ["greeter"], greeter={"greeting": "hi", "times": 3})
    config = manager.plugins["greeter"].config
    assert config is not None and config.model_dump() == {"greeting": "hi", "times": 3}


def test_a_bad_plugin_section_names_file_line_and_field(tmp_path: Path) -> None:
    _plugin(tmp_path, "greeter", CONFIGURED)
    (tmp_path / "bot.yaml").write_text(
        "plugins:\n  enabled: [greeter]\n  paths: [./plugins]\ngreeter:\n  times: lots\n"
    )
    manager = PluginManager(entry_points=list)
    with pytest.raises(ConfigError) as info:
        manager.load_all(load_config(tmp_path / "bot.yaml"))
    message = str(info.value)
    assert "bot.yaml: invalid configuration" in message
    assert "line 4: greeter.greeting: required, but missing" in message
    assert "line 5: greeter.times: expected a valid integer" in message


def test_a_section_for_a_plugin_without_a_model_is_an_error(tmp_path: Path) -> None:
    _plugin(tmp_path, "plain", GOOD)
    with pytest.raises(ConfigError, match="plain: this plugin takes no configuration"):
        _load(tmp_path, ["plain"], plain={"x": 1})
