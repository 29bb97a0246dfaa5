"""The sandbox's state on disk (``botkit sandbox --data DIR``): registries, snapshots, atomic files.

Each kind of state the sandbox keeps is a **registry**: an object with a ``name`` and two hooks,

* ``snapshot() -> JSON`` — return the whole state as JSON-compatible values (dicts, lists,
  strings, numbers; bytes as base64 text), taken on the event loop so it is consistent;
* ``restore(data: JSON) -> None`` — load what ``snapshot`` returned, once, at start-up, before
  any connection is served.

:class:`Persistence` keeps one file per registry, ``<name>.json`` in the data directory, and
restores the registries in the order they were registered (later ones may depend on earlier
ones: the simulated phones need the accounts). Adding a kind of state takes a few lines, in
:func:`botkit.server.snapshots.restore_sandbox`::

    persistence.register(Hooks("contacts", contacts.to_json, contacts.load_json))

Whatever changes the state must call ``Sandbox.changed()`` (the sandbox already does after each
node it receives, each control operation and each connection's end), or it is written only at
the next change or at close.

Writes are coalesced: :meth:`Persistence.touch` says "something changed"; a background task
snapshots every registry a moment later and rewrites the files whose content changed, each
atomically (temporary file, ``fsync``, ``rename``, then ``fsync`` of the directory), created
with mode 0600 in a 0700 directory (an existing directory with looser modes is tightened).
A pass that fails (a full disk, a registry's bug) is logged and the next change tries
again. :meth:`Persistence.close` writes a last time and always unlocks the directory.
Without a data directory the sandbox does not create a :class:`Persistence` and everything
stays in memory.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import json
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from botkit.errors import BotkitError

__all__ = [
    "Hooks",
    "Persistence",
    "Registry",
    "StateDir",
    "from_b64",
    "private_dir",
    "to_b64",
    "write_atomically",
]

log = logging.getLogger(__name__)

JSON = Any
"""A JSON-compatible value (what :func:`json.dumps` accepts)."""

_COALESCE = 0.02
"""Seconds to wait after a change before writing, so that a burst of changes is one write."""


def to_b64(data: bytes) -> str:
    """Return ``data`` as the base64 text registries store bytes as."""
    return base64.b64encode(data).decode("ascii")


def from_b64(text: Any) -> bytes:
    """Return the bytes :func:`to_b64` wrote.

    Raises:
        ValueError: ``text`` is not base64.
    """
    return base64.b64decode(str(text), validate=True)


class Registry(Protocol):
    """One kind of persisted state (see the module docstring for the contract)."""

    @property
    def name(self) -> str:
        """The file name stem: ``[a-z0-9_-]+``, unique per sandbox."""
        ...

    def snapshot(self) -> JSON:
        """Return the whole state as JSON-compatible values."""
        ...

    def restore(self, data: JSON) -> None:
        """Load a value :meth:`snapshot` returned (called once, before serving)."""
        ...


@dataclass(frozen=True, slots=True)
class Hooks:
    """A :class:`Registry` made of two functions."""

    name: str
    snapshot_hook: Callable[[], JSON]
    restore_hook: Callable[[JSON], None]

    def snapshot(self) -> JSON:
        """Return ``snapshot_hook()``."""
        return self.snapshot_hook()

    def restore(self, data: JSON) -> None:
        """Call ``restore_hook(data)``."""
        self.restore_hook(data)


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data``: temp file (0600), fsync, rename, fsync the directory.

    A reader sees the old content or the new one, never a mix, even after a crash.
    """
    temp = target.with_name(f".{target.name}.tmp")
    with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def private_dir(path: Path) -> None:
    """Make directory ``path`` (and its parents) if needed; leave it readable by its owner only.

    An existing directory with looser permissions (a data dir made by hand) is tightened to 0700,
    and the files in it (state files copied in by hand, say) to 0600.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)
    for entry in path.iterdir():
        if entry.is_file() and stat.S_IMODE(entry.stat().st_mode) & 0o077:
            entry.chmod(0o600)


class StateDir:
    """A directory of JSON files, each replaced atomically and readable by its owner only.

    One sandbox at a time: the directory is locked (``flock`` on ``.lock``) until :meth:`close`
    or the end of the process.

    Raises:
        ValueError: another process (or sandbox) holds the directory.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        private_dir(path)
        self._lock: int | None = os.open(path / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise ValueError(f"{path} is in use by another sandbox") from None

    def close(self) -> None:
        """Release the directory."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _file(self, name: str) -> Path:
        if not name or not all(c.isascii() and (c.isalnum() or c in "_-") for c in name):
            raise ValueError(f"bad state file name {name!r}")
        return self.path / f"{name}.json"

    def read(self, name: str) -> JSON | None:
        """Return the decoded content of ``name``, or None if it was never written.

        Raises:
            ValueError: the file is not valid JSON (it was not written by this module).
        """
        try:
            text = self._file(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return json.loads(text)

    def write_text(self, name: str, text: str) -> None:
        """Replace ``name`` with ``text`` (see :func:`write_atomically`)."""
        write_atomically(self._file(name), text.encode("utf-8"))

    def write(self, name: str, data: JSON) -> None:
        """Replace ``name`` with ``data`` encoded as JSON (see :meth:`write_text`)."""
        self.write_text(name, json.dumps(data, separators=(",", ":")))


class Persistence:
    """Restores registries from a :class:`StateDir` and keeps their files up to date."""

    def __init__(self, directory: StateDir) -> None:
        self.directory = directory
        self._registries: list[Registry] = []
        self._written: dict[str, str] = {}
        self._dirty = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self._lock = asyncio.Lock()

    def register(self, registry: Registry) -> None:
        """Add ``registry``; it is restored after every registry added before it.

        Raises:
            ValueError: a registry of the same name is already registered.
        """
        if any(r.name == registry.name for r in self._registries):
            raise ValueError(f"a registry named {registry.name!r} is already registered")
        self._registries.append(registry)

    def restore(self) -> None:
        """Restore every registry that has a file, in registration order.

        Raises:
            ValueError: a file is not what its registry wrote (it names the file).
        """
        for registry in self._registries:
            try:
                data = self.directory.read(registry.name)
                if data is not None:
                    registry.restore(data)
            except (ValueError, KeyError, TypeError, AttributeError, BotkitError) as exc:
                path = self.directory.path / f"{registry.name}.json"
                raise ValueError(f"cannot restore {path}: {type(exc).__name__}: {exc}") from exc
            if data is not None:
                self._written[registry.name] = json.dumps(data, separators=(",", ":"))

    def start(self) -> None:
        """Start the background writer (call it on the running event loop)."""
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_loop(), name="sandbox-persistence")

    def touch(self) -> None:
        """Note that some state changed: it is written soon."""
        self._dirty.set()

    async def flush(self) -> None:
        """Write whatever changed now; return once it is on disk.

        Raises:
            OSError: a file could not be written.
        """
        await self._pass()

    async def close(self) -> None:
        """Stop the writer after a last pass that writes whatever changed; unlock the dir."""
        self._closing = True
        try:
            if self._writer is None:
                await self._pass()
            else:
                self._dirty.set()
                await self._writer
                self._writer = None
        finally:
            self.directory.close()

    async def _write_loop(self) -> None:
        while True:
            await self._dirty.wait()
            if not self._closing:
                await asyncio.sleep(_COALESCE)
            self._dirty.clear()
            try:
                await self._pass()
            except Exception:  # a full disk or a registry's bug: the next change tries again
                log.exception("could not write the sandbox state")
            if self._closing and not self._dirty.is_set():
                return

    async def _pass(self) -> None:
        """Snapshot and write; one pass at a time (they share the temporary files)."""
        async with self._lock:
            texts = self._snapshot()
            await asyncio.to_thread(self._write_all, texts)

    def _snapshot(self) -> dict[str, str]:
        """Return the JSON text of every registry whose state changed since it was written."""
        texts = {}
        for registry in self._registries:
            text = json.dumps(registry.snapshot(), separators=(",", ":"))
            if self._written.get(registry.name) != text:
                texts[registry.name] = text
        return texts

    def _write_all(self, texts: dict[str, str]) -> None:
        for name, text in texts.items():
            self.directory.write_text(name, text)
            self._written[name] = text
