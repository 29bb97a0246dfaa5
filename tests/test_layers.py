"""Layer rules that import-linter cannot see: botkit.core is sans-IO and the root is lazy."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Importing every module of botkit.core must not pull in any I/O, clock or randomness module.
_BLOCK_IO = textwrap.dedent(
    """
    import builtins, importlib, pkgutil, sys
    forbidden = {"asyncio", "socket", "websockets", "aiosqlite", "sqlite3", "random", "secrets",
                 "os", "pathlib", "time", "threading", "subprocess"}
    real_import = builtins.__import__

    def guarded(name, globals=None, locals=None, fromlist=(), level=0):
        importer = (globals or {}).get("__name__", "")
        if importer.startswith("botkit") and name.split(".")[0] in forbidden:
            raise ImportError(f"{importer} imports {name}")
        return real_import(name, globals, locals, fromlist, level)

    builtins.__import__ = guarded
    import botkit.core
    for info in pkgutil.walk_packages(botkit.core.__path__, "botkit.core."):
        importlib.import_module(info.name)
    print("ok")
    """
)


def test_core_imports_nothing_that_does_io() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _BLOCK_IO], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_root_package_is_lazy() -> None:
    code = "import sys, botkit; print('botkit.core.binary' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_root_exports_resolve() -> None:
    import botkit

    for name in botkit.__all__:
        assert getattr(botkit, name) is not None


def test_first_party_plugins_use_only_the_public_api() -> None:
    """plugins/ are written as a third party would: botkit, botkit.bot, botkit.types, errors."""
    import ast
    from pathlib import Path

    public = ("botkit", "botkit.bot", "botkit.errors", "botkit.types")
    reached = []
    for path in sorted((Path(__file__).resolve().parents[1] / "plugins").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                inside = name == "botkit" or name.startswith("botkit.")
                if inside and not (name in public or name.startswith("botkit.types.")):
                    reached.append(f"{path.parent.name}/{path.name}: {name}")
    assert reached == []
