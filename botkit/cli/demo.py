"""The embedded sandbox's demo world, and the lines that tell a person how to try the bot.

``botkit run`` on ``server: sandbox`` calls :func:`prepare_demo` once the bot is logged in:

* Alice: the first owner of ``bot.owners`` given by phone number (so she may use the owners'
  commands), else the first free number of :data:`DEMO_PHONES`; Bob: the next free number;
* :data:`DEMO_GROUP`: created by Alice with Bob and the bot, the bot promoted to admin, so that
  moderation can act in it and announcements addressed to "Demo group" find it.

Every step looks first for what an earlier run left (a sandbox with a data dir keeps its users
and, once saved there, its groups): running again never makes a second user or group.
:func:`show_demo` prints the control URL, who is who, and ``curl`` lines to talk to the bot.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import TextIO

from botkit.bot.config import Config
from botkit.errors import SandboxRefusal
from botkit.server import Sandbox
from botkit.server.groups import Group
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = [
    "DEMO_GROUP",
    "DEMO_PHONES",
    "DemoUser",
    "DemoWorld",
    "demo_users",
    "find_demo_group",
    "prepare_demo",
    "show_demo",
]

DEMO_GROUP = "Demo group"
"""The subject of the demo group (``bot.example.yaml``'s announcements are addressed to it)."""

DEMO_PHONES = ("15550002222", "15550003333", "15550004444")
"""The demo users' numbers, in order, skipping the bot's own and an owner's taken as Alice."""


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A simulated user of the demo: a name and a phone number (digits)."""

    name: str
    phone: str
    owner: bool = False
    """Whether ``bot.owners`` names this number."""

    @property
    def jid(self) -> JID:
        """The user's phone-number JID."""
        return JID(self.phone, DEFAULT_USER_SERVER)


@dataclass(frozen=True, slots=True)
class DemoWorld:
    """What :func:`prepare_demo` made (or found): the bot, Alice, Bob and the demo group."""

    control_url: str
    bot: JID
    bot_name: str
    alice: DemoUser
    bob: DemoUser
    group: JID
    prefix: str
    """The bot's first command prefix."""


def _sandbox_number(phone: str) -> bool:
    """True when the sandbox accepts ``phone`` as an account's number (7-15 digits, no 0)."""
    return 7 <= len(phone) <= 15 and not phone.startswith("0")


def demo_users(config: Config) -> tuple[DemoUser, DemoUser]:
    """Return Alice and Bob for the bot of ``config`` (see the module's docstring)."""
    bot = config.core.pair_with
    owners = [
        owner.user
        for owner in config.core.bot.owners
        if owner.server == DEFAULT_USER_SERVER and owner.user != bot and _sandbox_number(owner.user)
    ]
    free = [phone for phone in DEMO_PHONES if phone != bot and phone not in owners[:1]]
    alice = owners[0] if owners else free.pop(0)
    bob = free[0]
    return DemoUser("Alice", alice, alice in owners), DemoUser("Bob", bob, bob in owners)


def find_demo_group(sandbox: Sandbox, creator: str) -> Group | None:
    """Return the demo group an earlier run made: named :data:`DEMO_GROUP`, ``creator`` an admin.

    ``None`` when there is none (a new sandbox, or one that did not keep its groups).
    """
    for group in sandbox.world.groups.of_member(creator):
        if group.subject == DEMO_GROUP and group.is_admin(creator):
            return group
    return None


async def prepare_demo(sandbox: Sandbox, config: Config, bot: JID) -> DemoWorld:
    """Make sure Alice, Bob and the demo group with ``bot`` as an admin exist; return them.

    Raises:
        SandboxRefusal: the sandbox refused to add the bot or Bob to the group, or to promote
            the bot (an earlier run's group changed by hand so that Alice may not).
        OSError: the sandbox could not save its state.
    """
    alice, bob = demo_users(config)
    for user in (alice, bob):
        sandbox.ensure_user(user.phone, user.name)
    group = await _ensure_group(sandbox, alice.phone, [bob.phone, bot.user], bot.user)
    sandbox.changed()
    await sandbox.flush()
    prefix = config.core.bot.prefixes[0]
    return DemoWorld(sandbox.control_url, bot, config.core.bot.name, alice, bob, group, prefix)


async def _ensure_group(sandbox: Sandbox, creator: str, members: list[str], bot: str) -> JID:
    """Return the demo group of ``creator`` with ``members`` in it and ``bot`` an admin."""
    control = sandbox.group_control
    found = find_demo_group(sandbox, creator)
    if found is None:
        created = await control.create(creator, DEMO_GROUP, [_pn(phone) for phone in members])
        jid = JID.parse(created["jid"])
    else:
        jid = found.jid
        missing = [_pn(phone) for phone in members if not found.is_member(phone)]
        if missing:
            _check(await control.participants(jid, creator, "add", missing), "add")
    group = sandbox.world.groups.get(jid)
    if group is None or not group.is_admin(bot):
        _check(await control.participants(jid, creator, "promote", [_pn(bot)]), "promote")
    return jid


def _pn(phone: str) -> JID:
    return JID(phone, DEFAULT_USER_SERVER)


def _check(results: list[dict[str, object]], action: str) -> None:
    """Raise SandboxRefusal when the sandbox refused ``action`` for one of ``results``."""
    for result in results:
        status = result.get("status")
        if status != 200:
            code = status if isinstance(status, int) else 500
            raise SandboxRefusal(code, f"{DEMO_GROUP}: {action} {result.get('jid')} refused")


def show_demo(out: TextIO, world: DemoWorld) -> None:
    """Print who is who in ``world`` and ``curl`` lines to talk to the bot, to ``out``."""
    alice, bob = world.alice, world.bob
    rows = [
        ("control API", world.control_url, ""),
        ("bot", f"+{world.bot.user}", f"{world.bot}  ({world.bot_name})"),
        (alice.name, f"+{alice.phone}", _role(alice)),
        (bob.name, f"+{bob.phone}", _role(bob)),
        (DEMO_GROUP, str(world.group), "Alice, Bob and the bot (an admin)"),
    ]
    lines = ["", *(f"  {label:<12} {value:<12}  {note}".rstrip() for label, value, note in rows)]
    lines.append("")
    lines += [
        f"{alice.name} sends {world.prefix}ping to the bot:",
        _send(world, alice, world.bot, "ping"),
        f"{bob.name} sends {world.prefix}help in the group:",
        _send(world, bob, world.group, "help"),
        f"what {alice.name}'s phone received (the bot's answers, the group's messages):",
        f"  curl -s {world.control_url}/control/inbox/{alice.phone}",
    ]
    out.write("\n".join(lines) + "\n")
    out.flush()


def _role(user: DemoUser) -> str:
    return "an owner of the bot" if user.owner else ""


def _send(world: DemoWorld, user: DemoUser, to: JID, command: str) -> str:
    body = json.dumps({"from": user.phone, "to": str(to), "text": f"{world.prefix}{command}"})
    return (
        f"  curl -s -X POST {world.control_url}/control/messages "
        f"-H 'Content-Type: application/json' -d {shlex.quote(body)}"
    )
