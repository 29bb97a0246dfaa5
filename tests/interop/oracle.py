"""A client for ``oracle.mjs``: Baileys running in one long-lived Node process.

The process reads one JSON request per line and answers one JSON line, in order. Bytes travel as
hex. Every public method sends one request however many items it carries, so a whole corpus costs
one round trip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

__all__ = ["INTEROP_DIR", "Oracle", "OracleError", "OracleUnavailable", "start_or_fail"]

INTEROP_DIR = Path(__file__).resolve().parent
SCRIPT = INTEROP_DIR / "oracle.mjs"

NodeJson = dict[str, Any]


class OracleError(RuntimeError):
    """The oracle answered a request with an error, or died."""


class OracleUnavailable(RuntimeError):
    """The oracle cannot start: Node or the npm packages are missing."""


def _check_installed() -> str:
    node = shutil.which("node")
    if node is None:
        raise OracleUnavailable("`node` is not on PATH; the interop tests need Node 20.")
    for package in ("baileys", "libsignal", "curve25519-js"):
        if not (INTEROP_DIR / "node_modules" / package / "package.json").is_file():
            raise OracleUnavailable(
                f"tests/interop/node_modules/{package} is missing: run `make test`, which runs "
                "`npm ci` in tests/interop."
            )
    return node


class Oracle:
    """One running Node oracle process (``oracle.mjs`` unless ``script`` names another one that
    speaks the same JSON-lines protocol); use as a context manager or call :meth:`close`."""

    def __init__(self, script: Path = SCRIPT) -> None:
        node = _check_installed()
        self._proc = subprocess.Popen(
            [node, str(script)],
            cwd=INTEROP_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._next_id = 0
        self._lock = threading.Lock()
        self._stderr: list[str] = []
        # Drain stderr continuously so libsignal's console output can never fill the pipe.
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()

    def _drain_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-200]

    def __enter__(self) -> Oracle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ends the process (closing stdin lets it finish its loop)."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def request(self, op: str, **args: Any) -> Any:
        """Sends one request and returns its ``result``; raises :class:`OracleError` on failure."""
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
            line = json.dumps({"id": request_id, "op": op, **args}, separators=(",", ":"))
            assert self._proc.stdin is not None and self._proc.stdout is not None
            try:
                self._proc.stdin.write(line + "\n")
                self._proc.stdin.flush()
            except BrokenPipeError as exc:
                raise OracleError(f"oracle died: {self.stderr_tail()}") from exc
            answer_line = self._proc.stdout.readline()
        if not answer_line:
            self._proc.wait(timeout=10)
            raise OracleError(
                f"oracle exited with {self._proc.returncode}; stderr:\n{self.stderr_tail()}"
            )
        answer = json.loads(answer_line)
        if answer.get("id") != request_id:
            raise OracleError(f"answer {answer.get('id')} does not match request {request_id}")
        if not answer["ok"]:
            raise OracleError(f"{op} failed: {answer['error']}")
        return answer["result"]

    def stderr_tail(self) -> str:
        return "".join(self._stderr[-40:])

    # -- binary codec -------------------------------------------------------------------------

    def encode(self, nodes: Sequence[NodeJson]) -> list[bytes | str]:
        """Baileys ``encodeBinaryNode`` for each node: the bytes, or the error message (a str)."""
        results = self.request("encode", nodes=list(nodes))
        return [bytes.fromhex(r["hex"]) if "hex" in r else str(r["error"]) for r in results]

    def decode(self, frames: Iterable[bytes]) -> list[NodeJson | str]:
        """Baileys ``decodeBinaryNode`` for each frame: node JSON, or the error message (a str)."""
        results = self.request("decode", hex=[f.hex() for f in frames])
        return [r["node"] if "node" in r else str(r["error"]) for r in results]

    def tokens(self) -> tuple[list[str], list[list[str]]]:
        """Baileys' single-byte token table and its four double-byte dictionaries."""
        result = self.request("tokens")
        return list(result["single"]), [list(d) for d in result["double"]]

    # -- curve25519 / XEdDSA -------------------------------------------------------------------

    def keypairs(self, count: int) -> list[tuple[bytes, bytes]]:
        """``count`` fresh Baileys key pairs as ``(private, public)``; public is 32 bytes."""
        result = self.request("keypair", count=count)
        return [(bytes.fromhex(k["private"]), bytes.fromhex(k["public"])) for k in result]

    def sign(
        self, items: Sequence[tuple[bytes, bytes]], random64: Sequence[bytes] | None = None
    ) -> list[bytes]:
        """Signs each ``(private, message)``; with ``random64`` uses that randomness per item."""
        payload: list[dict[str, str]] = []
        for i, (private, message) in enumerate(items):
            entry = {"private": private.hex(), "message": message.hex()}
            if random64 is not None:
                entry["random"] = random64[i].hex()
            payload.append(entry)
        return [bytes.fromhex(s) for s in self.request("sign", items=payload)]

    def verify(self, items: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
        """Baileys ``Curve.verify`` for each ``(public, message, signature)``."""
        payload = [
            {"public": pub.hex(), "message": msg.hex(), "signature": sig.hex()}
            for pub, msg, sig in items
        ]
        return [bool(v) for v in self.request("verify", items=payload)]


def start_or_fail(script: Path = SCRIPT) -> Oracle:
    """Start the oracle ``script``; a missing Node install fails the test (it never skips)."""
    try:
        return Oracle(script)
    except OracleUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
