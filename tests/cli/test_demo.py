"""The embedded sandbox's demo world: Alice, Bob and "Demo group" with the bot as an admin, made
once and found again, and the lines that say how to talk to the bot."""

from __future__ import annotations

import io
import json
import shlex
from pathlib import Path
from typing import Any

from botkit.bot.config import Config, config_from_dict
from botkit.cli.demo import DEMO_GROUP, DemoWorld, demo_users, prepare_demo, show_demo
from botkit.server import Sandbox
from botkit.types.group import ParticipantRole
from botkit.types.jid import JID

BOT = JID("15550001111", "s.whatsapp.net")
ALICE, BOB = "15550002222", "15550003333"


def _config(**bot: Any) -> Config:
    return config_from_dict({"pair_with": BOT.user, "bot": {"name": "Demo bot", **bot}})


def _roles(sandbox: Sandbox, world: DemoWorld) -> dict[str, ParticipantRole]:
    group = sandbox.world.groups.get(world.group)
    assert group is not None
    return dict(group.members)


def _demo_groups(sandbox: Sandbox) -> int:
    return sum(1 for group in sandbox.world.groups if group.subject == DEMO_GROUP)


def test_alice_is_the_first_owner_given_by_number() -> None:
    alice, bob = demo_users(_config(owners=["15550001111", "+1 555 000 7777", "15550003333"]))
    assert (alice.phone, alice.owner) == ("15550007777", True)  # the bot's own number skipped
    assert (bob.phone, bob.owner) == ("15550002222", False)


def test_without_an_owner_number_the_demo_numbers_are_used() -> None:
    alice, bob = demo_users(_config(owners=["100000000000001@lid"]))
    assert (alice.phone, alice.owner, bob.phone) == (ALICE, False, BOB)


async def test_the_demo_world_has_the_bot_as_a_group_admin(sandbox: Sandbox) -> None:
    sandbox.create_user(BOT.user, "Demo bot")
    world = await prepare_demo(sandbox, _config(owners=[f"+{ALICE}"]), BOT)
    assert (world.alice.phone, world.bob.phone) == (ALICE, BOB)
    names = {account.phone: account.name for account in sandbox.world.accounts()}
    assert (names[ALICE], names[BOB]) == ("Alice", "Bob")
    assert _roles(sandbox, world) == {
        ALICE: ParticipantRole.SUPERADMIN,
        BOB: ParticipantRole.MEMBER,
        BOT.user: ParticipantRole.ADMIN,
    }


async def test_preparing_again_finds_the_same_users_and_group(sandbox: Sandbox) -> None:
    sandbox.create_user(BOT.user, "Demo bot")
    config = _config(owners=[f"+{ALICE}"])
    first = await prepare_demo(sandbox, config, BOT)
    accounts = [(account.phone, account.lid_user) for account in sandbox.world.accounts()]
    again = await prepare_demo(sandbox, config, BOT)
    assert again == first
    assert [(account.phone, account.lid_user) for account in sandbox.world.accounts()] == accounts
    assert _demo_groups(sandbox) == 1


async def test_a_changed_demo_group_is_put_back(sandbox: Sandbox) -> None:
    sandbox.create_user(BOT.user, "Demo bot")
    config = _config(owners=[f"+{ALICE}"])
    world = await prepare_demo(sandbox, config, BOT)
    control = sandbox.group_control
    await control.participants(world.group, ALICE, "demote", [BOT])
    await control.participants(world.group, ALICE, "remove", [JID(BOB, "s.whatsapp.net")])
    assert await prepare_demo(sandbox, config, BOT) == world
    assert _roles(sandbox, world)[BOT.user] is ParticipantRole.ADMIN
    assert _roles(sandbox, world)[BOB] is ParticipantRole.MEMBER


async def test_a_sandbox_with_a_data_dir_keeps_the_demo_users(tmp_path: Path) -> None:
    config = _config(owners=[f"+{ALICE}"])
    async with Sandbox(data_dir=tmp_path) as sandbox:
        sandbox.create_user(BOT.user, "Demo bot")
        await prepare_demo(sandbox, config, BOT)
        accounts = [(account.phone, account.lid_user) for account in sandbox.world.accounts()]
    async with Sandbox(data_dir=tmp_path) as sandbox:
        await prepare_demo(sandbox, config, BOT)
        assert [(a.phone, a.lid_user) for a in sandbox.world.accounts()] == accounts
        assert _demo_groups(sandbox) == 1


async def test_a_sandbox_with_a_data_dir_keeps_the_demo_group(tmp_path: Path) -> None:
    config = _config(owners=[f"+{ALICE}"])
    async with Sandbox(data_dir=tmp_path) as sandbox:
        sandbox.create_user(BOT.user, "Demo bot")
        first = await prepare_demo(sandbox, config, BOT)
    async with Sandbox(data_dir=tmp_path) as sandbox:
        assert (await prepare_demo(sandbox, config, BOT)).group == first.group


def _curl_body(line: str) -> Any:
    """Return the JSON body of a printed ``curl ... -d '<json>'`` line."""
    return json.loads(shlex.split(line)[-1])


def test_the_printed_lines_name_everyone_and_are_runnable_curl_commands() -> None:
    group = JID("120363000000000001", "g.us")
    world = DemoWorld(
        "http://127.0.0.1:9", BOT, "Demo bot", *demo_users(_config(owners=[ALICE])), group, "!"
    )
    out = io.StringIO()
    show_demo(out, world)
    text = out.getvalue()
    for needle in (str(BOT), f"+{ALICE}", f"+{BOB}", str(group), DEMO_GROUP, "http://127.0.0.1:9"):
        assert needle in text
    curls = [line for line in text.splitlines() if "curl" in line]
    assert [shlex.split(line)[:2] for line in curls] == [["curl", "-s"]] * 3
    assert _curl_body(curls[0]) == {"from": ALICE, "to": str(BOT), "text": "!ping"}
    assert _curl_body(curls[1]) == {"from": BOB, "to": str(group), "text": "!help"}
    assert curls[2].split()[-1] == f"http://127.0.0.1:9/control/inbox/{ALICE}"
