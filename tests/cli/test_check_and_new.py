"""`botkit check` and `botkit new plugin`: validation without connecting, and the scaffold."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from botkit.cli import build_parser, main
from botkit.cli.check import check_command
from botkit.cli.scaffold import new_plugin_command

REPO = Path(__file__).resolve().parents[2]


def _check(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = check_command(path, out, err)
    return code, out.getvalue(), err.getvalue()


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_check_accepts_the_example_bot() -> None:
    code, out, err = _check(REPO / "examples" / "sandbox_bot.yaml")
    assert (code, err) == (0, "")
    assert "valid" in out
    assert "plugin commands" in out and "about, help, ping" in out


def test_check_reports_a_config_error_with_the_loader_message_and_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path, "bot.yaml", "bot:\n  prefixes: []\n")
    code, out, err = _check(path)
    assert (code, out) == (2, "")
    assert "bot.yaml" in err and "line 2" in err and "bot.prefixes" in err
    assert "Traceback" not in err


def test_check_reports_a_missing_plugin_with_exit_3(tmp_path: Path) -> None:
    path = _write(tmp_path, "bot.yaml", "plugins: {enabled: [nosuchplugin], paths: []}\n")
    code, _, err = _check(path)
    assert code == 3
    assert "nosuchplugin" in err and "Traceback" not in err


def test_check_reports_a_plugin_that_fails_to_import_with_exit_3(tmp_path: Path) -> None:
    _write(tmp_path, "plugins/broken.py", "raise RuntimeError('boom at import')\n")
    path = _write(tmp_path, "bot.yaml", "plugins: {enabled: [broken], paths: [./plugins]}\n")
    code, _, err = _check(path)
    assert code == 3
    assert "broken" in err and "boom at import" in err


def test_check_validates_a_plugin_section_against_its_model(tmp_path: Path) -> None:
    assert new_plugin_command("greeter", tmp_path / "plugins", io.StringIO(), io.StringIO()) == 0
    config = """\
        plugins: {enabled: [greeter], paths: [./plugins]}
        greeter:
          greeting: [not, a, string]
        """
    code, _, err = _check(_write(tmp_path, "bot.yaml", config))
    assert code == 2
    assert "greeter.greeting" in err and "line 3" in err


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    text = build_parser().format_help()
    for line in ("0  done", "1  failed", "2  invalid configuration", "3  a plugin"):
        assert line in text
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "exit codes:" in capsys.readouterr().out


def test_new_plugin_writes_a_package_that_passes_check_and_its_own_test(tmp_path: Path) -> None:
    out = io.StringIO()
    assert new_plugin_command("greeter", tmp_path / "plugins", out, io.StringIO()) == 0
    package = tmp_path / "plugins" / "greeter"
    assert sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py")) == [
        "__init__.py",
        "tests/test_greeter.py",
    ]
    assert "@hookimpl" in (package / "__init__.py").read_text()
    assert "@command(" in (package / "__init__.py").read_text()
    config = _write(
        tmp_path, "bot.yaml", "plugins: {enabled: [greeter], paths: [./plugins]}\ngreeter: {}\n"
    )
    code, summary, err = _check(config)
    assert (code, err) == (0, "")
    assert "plugin greeter" in summary and "configured" in summary

    # the generated test, run by pytest as a plugin author would (outside this repository)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_new_plugin_refuses_to_overwrite(tmp_path: Path) -> None:
    package = tmp_path / "greeter"
    package.mkdir()
    (package / "__init__.py").write_text("# mine\n")
    err = io.StringIO()
    assert new_plugin_command("greeter", tmp_path, io.StringIO(), err) == 1
    assert "exists" in err.getvalue()
    assert (package / "__init__.py").read_text() == "# mine\n"
    assert not (package / "tests").exists()


@pytest.mark.parametrize("name", ["Greeter", "2fast", "with-dash", "class", ""])
def test_new_plugin_rejects_a_name_that_is_not_a_module_name(tmp_path: Path, name: str) -> None:
    err = io.StringIO()
    assert new_plugin_command(name, tmp_path, io.StringIO(), err) == 2
    assert "not a plugin name" in err.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_dispatches_new_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "plugin", "hello", "--dir", str(tmp_path / "plugins")]) == 0
    path = _write(tmp_path, "bot.yaml", "plugins: {enabled: [hello], paths: [./plugins]}\n")
    assert main(["check", str(path)]) == 0
    assert "plugin hello" in capsys.readouterr().out
    assert main(["new", "plugin", "hello", "--dir", str(tmp_path / "plugins")]) == 1
