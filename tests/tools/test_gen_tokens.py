"""The committed token module is exactly what tools/gen_tokens.py generates from the facts."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from botkit.core.binary import tokens

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "tools" / "facts" / "tokens_v3.json"
INTEROP = ROOT / "tests" / "interop"


def test_regenerating_tokens_changes_nothing() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_tokens.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_check_fails_when_the_module_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("gen_tokens", ROOT / "tools" / "gen_tokens.py")
    assert spec is not None and spec.loader is not None
    gen_tokens = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_tokens)
    stale = tmp_path / "tokens.py"
    stale.write_text("# edited by hand\n", encoding="utf-8")
    monkeypatch.setattr(gen_tokens, "ROOT", tmp_path)
    monkeypatch.setattr(gen_tokens, "TARGET", stale)
    assert gen_tokens.main(["--check"]) == 1
    assert gen_tokens.main([]) == 0
    assert gen_tokens.main(["--check"]) == 0


def test_generated_tables_are_the_facts() -> None:
    facts = json.loads(FACTS.read_text(encoding="utf-8"))
    assert list(tokens.SINGLE_BYTE_TOKENS) == facts["single_byte"]
    assert [list(d) for d in tokens.DOUBLE_BYTE_TOKENS] == facts["double_byte"]


def test_token_bytes_cover_every_token() -> None:
    assert len(tokens.TOKEN_BYTES) == 235 + 4 * 256
    assert tokens.TOKEN_BYTES["s.whatsapp.net"] == b"\x03"
    assert tokens.TOKEN_BYTES["screen_height"] == b"\xeb"
    assert tokens.TOKEN_BYTES["read-self"] == b"\xec\x00"
    assert tokens.TOKEN_BYTES["1961"] == b"\xef\xff"


@pytest.mark.interop
def test_facts_are_baileys_tables() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed", pytrace=False)
    script = (
        "import {readFileSync} from 'node:fs';"
        "import {createRequire} from 'node:module';"
        "const require = createRequire(process.cwd() + '/package.json');"
        "const entry = require.resolve('baileys');"
        "const c = await import(entry.replace(/index\\.js$/, 'WABinary/constants.js'));"
        "const f = JSON.parse(readFileSync(process.argv[1], 'utf8'));"
        "console.log(JSON.stringify(c.SINGLE_BYTE_TOKENS) === JSON.stringify(f.single_byte) &&"
        " JSON.stringify(c.DOUBLE_BYTE_TOKENS) === JSON.stringify(f.double_byte));"
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script, str(FACTS)],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "true", result.stderr
