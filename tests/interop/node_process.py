"""Run one of the Node scripts in tests/interop as an asyncio subprocess, killed on exit."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .oracle import INTEROP_DIR

__all__ = ["node_script"]


@asynccontextmanager
async def node_script(script: str, *args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start ``node tests/interop/<script> <args>`` with piped stdio; kill it when done."""
    node = shutil.which("node")
    assert node is not None, "the interop tests need Node 20 on PATH"
    proc = await asyncio.create_subprocess_exec(
        node,
        str(INTEROP_DIR / script),
        *args,
        cwd=INTEROP_DIR,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
