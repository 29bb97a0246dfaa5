"""Run one of the bench/*.mjs peers once: its input as a JSON file, its figures as JSON on stdout.

The scripts import Baileys and libsignal from tests/interop's node_modules, so they run there.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["run_node_peer"]

BENCH = Path(__file__).resolve().parent
INTEROP = BENCH.parent / "tests" / "interop"


def run_node_peer(script: str, config: dict[str, Any]) -> Any:
    """Run ``node bench/<script> <config file>`` and return the JSON it printed."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
    try:
        result = subprocess.run(
            ["node", str(BENCH / script), handle.name],
            cwd=INTEROP,
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    return json.loads(result.stdout)
