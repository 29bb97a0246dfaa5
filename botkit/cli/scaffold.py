"""``botkit new plugin NAME [--dir DIR]``: scaffold a plugin package from Jinja2 templates.

Writes ``DIR/NAME/__init__.py`` (a config model, a command and a message hook) and
``DIR/NAME/tests/test_NAME.py`` (a test on the sandbox with :mod:`botkit.testing`), from the
templates in ``botkit/cli/templates/plugin/``. It never overwrites: if ``DIR/NAME`` exists it
writes nothing.
"""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path
from typing import TextIO

import jinja2

from botkit.cli.exits import CONFIG_ERROR, FAILED, OK
from botkit.cli.servers import say

__all__ = ["TEMPLATES", "new_plugin_command", "render_plugin"]

TEMPLATES = Path(__file__).resolve().parent / "templates" / "plugin"

_FILES = {
    "__init__.py.j2": "__init__.py",
    "test_plugin.py.j2": "tests/test_{name}.py",
}


def render_plugin(name: str, folder: str) -> dict[str, str]:
    """Return the files of plugin ``name`` living in ``folder``: relative path -> text."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Python source, not HTML
    )
    model = "".join(part.capitalize() for part in name.split("_")) + "Config"
    values = {"name": name, "model": model, "folder": folder}
    return {
        target.format(name=name): environment.get_template(template).render(values)
        for template, target in _FILES.items()
    }


def new_plugin_command(
    name: str, folder: Path, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Write plugin ``name`` into ``folder``; return the exit code (:mod:`botkit.cli.exits`)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        err.write(f"botkit: {name!r} is not a plugin name (lowercase letters, digits and _)\n")
        return CONFIG_ERROR
    package = folder / name
    if package.exists():
        err.write(f"botkit: {package} exists; not overwriting it\n")
        return FAILED
    files = render_plugin(name, folder.as_posix())
    for relative, text in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        say(out, f"created {path}")
    say(out, f"enable it with `plugins: {{enabled: [{name}], paths: [{folder.as_posix()}]}}`")
    say(out, f"run its test with `pytest {package / 'tests'}`")
    return OK
