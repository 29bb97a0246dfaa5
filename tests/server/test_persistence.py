"""The sandbox's state on disk: atomic 0600 files, registries restored in order, restarts."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import shutil
import signal
import stat
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from botkit.server.app import Sandbox
from botkit.server.persistence import Hooks, Persistence, StateDir
from botkit.types.jid import JID

PHONE = "15550001111"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_files_are_private_and_replaced_whole(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "data")
    assert state.read("world") is None
    state.write("world", {"a": 1})
    state.write("world", {"a": 2})
    assert state.read("world") == {"a": 2}
    assert _mode(tmp_path / "data") == 0o700
    assert _mode(tmp_path / "data" / "world.json") == 0o600
    assert {p.name for p in (tmp_path / "data").iterdir()} == {".lock", "world.json"}


async def test_a_data_dir_made_by_hand_with_loose_modes_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "media").mkdir(parents=True)
    data.chmod(0o755)
    (data / "media").chmod(0o755)
    async with Sandbox(data_dir=data):
        pass
    assert (_mode(data), _mode(data / "media")) == (0o700, 0o700)
    shown = [data / "server_keys.json", data / "media" / "x.enc"]
    shown[1].write_bytes(b"a blob copied in by hand")
    for path in shown:
        path.chmod(0o644)
    async with Sandbox(data_dir=data):
        pass
    assert [_mode(path) for path in shown] == [0o600, 0o600]


@pytest.mark.parametrize("name", ["", "../x", "a.b", "é"])
def test_state_file_names_are_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        StateDir(tmp_path).write(name, {})


class _Box:
    """A registry's state: a list the hooks copy out and back in, recording restores."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.items: list[Any] = []
        self.hooks = Hooks(name, lambda: list(self.items), self._restore)
        self._log = log
        self._name = name

    def _restore(self, data: Any) -> None:
        self._log.append(self._name)
        self.items = list(data)


async def test_registries_are_written_on_change_and_restored_in_order(tmp_path: Path) -> None:
    log: list[str] = []
    first = Persistence(StateDir(tmp_path))
    a, b = _Box("a", log), _Box("b", log)
    first.register(a.hooks)
    first.register(b.hooks)
    first.start()
    a.items.append(1)
    first.touch()
    b.items.append("x")
    await first.close()
    second = Persistence(StateDir(tmp_path))
    again_b, again_a = _Box("b", log), _Box("a", log)
    second.register(again_b.hooks)
    second.register(again_a.hooks)
    second.restore()
    assert (again_a.items, again_b.items, log) == ([1], ["x"], ["b", "a"])
    with pytest.raises(ValueError):
        second.register(_Box("a", log).hooks)


async def test_a_restarted_sandbox_keeps_its_root_key_and_accounts(tmp_path: Path) -> None:
    async with Sandbox(data_dir=tmp_path) as first:
        created = first.create_user(PHONE, "Alice")
        root = first.root_public_key
    async with Sandbox(data_dir=tmp_path) as second:
        assert second.root_public_key == root
        account = second.world.account(PHONE)
        assert account is not None
        assert (str(account.jid), str(account.lid), account.name) == (
            created["jid"],
            created["lid"],
            "Alice",
        )
        assert second.world.account_of(JID.parse(created["lid"])) is account
        with pytest.raises(ValueError):
            second.create_user(PHONE, "Alice again")
    async with Sandbox() as memory_only:
        assert memory_only.root_public_key != root
        assert memory_only.world.account(PHONE) is None


async def test_the_phones_keep_their_sessions_inbox_and_sent_messages(tmp_path: Path) -> None:
    bob = "15550002222"
    async with Sandbox(data_dir=tmp_path) as first:
        first.create_user(PHONE, "Alice")
        bob_jid = JID.parse(first.create_user(bob, "Bob")["jid"])
        sent = await first.send_text(PHONE, bob_jid, "kept")
        alice = first.world.account(PHONE)
        assert alice is not None
        sessions = dict(first.router.phone(alice).sessions)
    async with Sandbox(data_dir=tmp_path) as second:
        alice = second.world.account(PHONE)
        assert alice is not None
        phone = second.router.phone(alice)
        assert {k: v.serialize() for k, v in phone.sessions.items()} == {
            k: v.serialize() for k, v in sessions.items()
        }
        assert [(i, str(chat)) for i, chat, _, _ in phone.sent_messages()] == [(sent, str(bob_jid))]
        assert [entry["text"] for entry in second.inbox(bob)] == ["kept"]


async def _spawn(data: Path, stderr: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "botkit.cli", "sandbox", "--data", str(data)),
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
    )


async def _start(data: Path) -> tuple[asyncio.subprocess.Process, dict[str, str]]:
    proc = await _spawn(data, asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    return proc, json.loads(await asyncio.wait_for(proc.stdout.readline(), 20))


async def _stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(proc.wait(), 20)


async def _post(base: str, path: str, body: dict[str, str]) -> Any:
    def call() -> Any:
        request = urllib.request.Request(base + path, data=json.dumps(body).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    return await asyncio.to_thread(call)


async def test_botkit_sandbox_data_flag_keeps_state_across_processes(tmp_path: Path) -> None:
    proc, ready = await _start(tmp_path / "state")
    try:
        created = await _post(ready["control_url"], "/control/users", {"phone": PHONE})
    finally:
        assert await _stop(proc) == 0
    proc, again = await _start(tmp_path / "state")
    try:
        answer = await _post(again["control_url"], "/control/users", {"phone": "15550002222"})
        assert answer["lid"] != created["lid"]
    finally:
        assert await _stop(proc) == 0
    assert again["root_public_key"] == ready["root_public_key"]
    world = json.loads((tmp_path / "state" / "world.json").read_text())
    assert [a["lid_user"] + "@lid" for a in world["accounts"]] == [created["lid"], answer["lid"]]


class _SlowDir(StateDir):
    """A state dir whose first write waits until the test releases it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writing = threading.Event()
        self.release = threading.Event()

    def write_text(self, name: str, text: str) -> None:
        if not self.writing.is_set():
            self.writing.set()
            self.release.wait(10)
        super().write_text(name, text)


async def test_a_change_made_during_a_write_is_written_at_close(tmp_path: Path) -> None:
    slow = _SlowDir(tmp_path)
    persistence = Persistence(slow)
    box = _Box("box", [])
    persistence.register(box.hooks)
    persistence.start()
    box.items.append("first")
    persistence.touch()
    await asyncio.to_thread(slow.writing.wait, 10)
    box.items.append("second")
    persistence.touch()
    closing = asyncio.create_task(persistence.close())
    slow.release.set()
    await closing
    assert StateDir(tmp_path).read("box") == ["first", "second"]


async def test_a_snapshot_that_fails_once_does_not_stop_the_writer(tmp_path: Path) -> None:
    box = _Box("box", [])
    failed = asyncio.Event()

    def snapshot() -> Any:
        if not failed.is_set():
            failed.set()
            raise TypeError("a registry's bug")
        return list(box.items)

    persistence = Persistence(StateDir(tmp_path))
    persistence.register(Hooks("box", snapshot, box.hooks.restore_hook))
    persistence.start()
    box.items.append("first")
    persistence.touch()
    await asyncio.wait_for(failed.wait(), 10)
    box.items.append("second")
    persistence.touch()
    await persistence.close()
    assert StateDir(tmp_path).read("box") == ["first", "second"]  # written, and unlocked


async def test_a_crash_between_two_state_files_leaves_a_loadable_data_dir(
    tmp_path: Path,
) -> None:
    data, before = tmp_path / "data", tmp_path / "before"
    async with Sandbox(data_dir=data) as first:
        first.create_user(PHONE, "Alice")
    shutil.copytree(data, before)
    async with Sandbox(data_dir=data) as second:
        second.create_user("15550002222", "Bob")
    # The crash: world.json was replaced, the later files not (one torn in its temporary file).
    for older in before.glob("*.json"):
        if older.name != "world.json":
            shutil.copy(older, data / older.name)
    (data / ".phones.json.tmp").write_bytes(b'{"15550002222": {"sess')
    async with Sandbox(data_dir=data) as third:
        assert third.devices("15550002222") == ["15550002222@s.whatsapp.net"]
        assert third.world.account(PHONE) is not None


async def test_one_sandbox_at_a_time_per_data_dir(tmp_path: Path) -> None:
    async with Sandbox(data_dir=tmp_path):
        with pytest.raises(ValueError, match="in use"):
            Sandbox(data_dir=tmp_path)
    async with Sandbox(data_dir=tmp_path):
        pass


async def test_a_sandbox_that_cannot_listen_releases_its_data_dir(tmp_path: Path) -> None:
    async with Sandbox() as other:  # holds a port the next sandbox is told to use
        taken = int(other.ws_url.split(":")[2].split("/")[0])
        with pytest.raises(OSError):
            async with Sandbox(port=taken, data_dir=tmp_path):
                pass
    async with Sandbox(data_dir=tmp_path):  # the failed start left no lock behind
        pass


async def test_a_damaged_state_file_is_named_and_nothing_is_overwritten(tmp_path: Path) -> None:
    async with Sandbox(data_dir=tmp_path) as first:
        first.create_user(PHONE, "Alice")
    world = tmp_path / "world.json"
    world.write_text('{"accounts": [{"phone": "1"}]}')
    with pytest.raises(ValueError, match=r"world\.json"):
        Sandbox(data_dir=tmp_path)
    assert world.read_text() == '{"accounts": [{"phone": "1"}]}'
    proc = await _spawn(tmp_path, asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert (proc.returncode, out) == (2, b"")
    assert b"world.json" in err and b"Traceback" not in err


async def test_uploaded_media_is_kept_one_private_file_each(tmp_path: Path) -> None:
    blob = b"an encrypted blob"
    token = base64.urlsafe_b64encode(hashlib.sha256(blob).digest()).decode()
    async with Sandbox(data_dir=tmp_path) as first:
        url = f"{first.media_url}/mms/document/{token}?auth={first.media.auth}"
        answer = json.loads(await _http("POST", url, blob))
    (stored,) = (tmp_path / "media").iterdir()
    assert (stored.read_bytes(), _mode(stored)) == (blob, 0o600)
    async with Sandbox(data_dir=tmp_path) as second:
        again = second.media_url + answer["direct_path"]
        assert await _http("GET", again + "&hash=x&mms-type=document&__wa-mms=", b"") == blob


async def _http(method: str, url: str, body: bytes) -> bytes:
    def call() -> bytes:
        request = urllib.request.Request(url, data=body or None, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())

    return await asyncio.to_thread(call)


async def test_a_control_answer_means_the_change_survives_a_kill(tmp_path: Path) -> None:
    proc, ready = await _start(tmp_path)
    created = await _post(ready["control_url"], "/control/users", {"phone": PHONE})
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    proc, again = await _start(tmp_path)
    try:
        devices = await _get(again["control_url"], f"/control/devices/{PHONE}")
    finally:
        assert await _stop(proc) == 0
    assert devices == [created["jid"]]


async def _get(base: str, path: str) -> Any:
    return json.loads(await _http("GET", base + path, b""))
