"""Commands: ``@command(...)`` declarations, the command index, help text and cooldowns.

A plugin module declares commands at module level::

    @command("mute", help="Mute a user", permission=Permission.GROUP_ADMIN, cooldown=10,
             args=[Arg("user", ArgType.USER), Arg("time", ArgType.DURATION)])
    async def mute(ctx: Context, user: JID, time: timedelta) -> None: ...

The handler's parameters after ``ctx`` must be exactly the declared arguments (checked when the
module is imported, so a typo is an error, not silence).
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botkit.bot.arguments import Arg, ArgType
from botkit.bot.permissions import Permission
from botkit.errors import PluginError
from botkit.types.jid import JID

if TYPE_CHECKING:
    from botkit.bot.context import Context

__all__ = [
    "Command",
    "CommandCall",
    "CommandIndex",
    "Cooldown",
    "CooldownScope",
    "CooldownTracker",
    "command",
    "split_command",
]

Handler = Callable[..., Awaitable[None]]


class CooldownScope(enum.Enum):
    """Whose uses of a command share one cooldown."""

    USER = "user"  # a user, in every chat
    CHAT = "chat"  # everyone in a chat
    USER_IN_CHAT = "user_in_chat"  # a user in one chat


@dataclass(frozen=True, slots=True)
class Cooldown:
    """After a use, the command is unavailable for ``seconds`` within ``per``."""

    seconds: float
    per: CooldownScope = CooldownScope.USER_IN_CHAT


@dataclass(frozen=True, slots=True)
class Command:
    """A declared command; calling it calls the handler."""

    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    help: str = ""
    args: tuple[Arg, ...] = ()
    permission: Permission = Permission.MEMBER
    cooldown: Cooldown | None = None

    def __call__(self, ctx: Context, **arguments: Any) -> Awaitable[None]:
        return self.handler(ctx, **arguments)

    def usage(self, prefix: str) -> str:
        """Return the usage line, e.g. ``!mute <user> <time> [reason]``."""
        return " ".join([f"{prefix}{self.name}", *(arg.label for arg in self.args)])

    def describe(self, prefix: str) -> str:
        """Return the full help of the command: usage, help, arguments, aliases, permission."""
        lines = [self.usage(prefix)]
        if self.help:
            lines.append(self.help)
        lines += [f"  {arg.label}: {arg.help or arg.expected}" for arg in self.args]
        if self.aliases:
            lines.append("Also: " + ", ".join(prefix + alias for alias in self.aliases))
        if self.permission is not Permission.MEMBER:
            lines.append(f"For {self.permission.who}.")
        return "\n".join(lines)


def command(
    name: str,
    *,
    aliases: Iterable[str] = (),
    help: str = "",
    args: Sequence[Arg] = (),
    permission: Permission = Permission.MEMBER,
    cooldown: float | Cooldown | None = None,
) -> Callable[[Handler], Command]:
    """Declare a command; the decorated coroutine function becomes a :class:`Command`.

    ``cooldown`` in seconds applies per user in a chat; pass a :class:`Cooldown` for another scope.
    Returns the decorator. Raises TypeError (at import) when the handler's parameters do not match
    ``args`` or an argument after a ``rest`` one is declared.
    """
    declared = tuple(args)
    for arg in declared[:-1]:
        if arg.type is ArgType.REST:
            raise TypeError(
                f"command {name!r}: the rest-of-line argument {arg.name!r} must be last"
            )
    spec = Cooldown(float(cooldown)) if isinstance(cooldown, int | float) else cooldown

    def decorate(handler: Handler) -> Command:
        if not inspect.iscoroutinefunction(handler):
            raise TypeError(f"command {name!r}: {handler.__name__} must be an async function")
        parameters = list(inspect.signature(handler).parameters)[1:]
        if parameters != [arg.name for arg in declared]:
            raise TypeError(
                f"command {name!r}: {handler.__name__} takes ({', '.join(parameters)}) after ctx "
                f"but args declares ({', '.join(arg.name for arg in declared)})"
            )
        return Command(
            name.lower(),
            handler,
            tuple(alias.lower() for alias in aliases),
            help,
            declared,
            permission,
            spec,
        )

    return decorate


@dataclass(frozen=True, slots=True)
class CommandCall:
    """How a command was invoked: its name, the word typed, the prefix and the argument text."""

    name: str
    invoked_as: str
    prefix: str
    text: str


def split_command(text: str, prefixes: Sequence[str]) -> tuple[str, str, str] | None:
    """Split ``!word rest`` into (prefix, lower-cased word, rest); ``None`` if not a command."""
    for prefix in sorted(prefixes, key=len, reverse=True):
        if text.startswith(prefix):
            word, _, rest = text[len(prefix) :].partition(" ")
            word = word.strip().lower()
            return (prefix, word, rest) if word else None
    return None


class CommandIndex:
    """Every command of every plugin, by name and alias."""

    def __init__(self) -> None:
        self._by_word: dict[str, tuple[str, Command]] = {}
        self._commands: dict[str, tuple[str, Command]] = {}

    def add(self, plugin: str, cmd: Command) -> None:
        """Add ``cmd`` of ``plugin``. Raises PluginError if a name or alias is taken."""
        for word in (cmd.name, *cmd.aliases):
            taken = self._by_word.get(word)
            if taken is not None:
                raise PluginError(
                    f"plugin {plugin!r}: command {word!r} is already defined by plugin {taken[0]!r}"
                )
        for word in (cmd.name, *cmd.aliases):
            self._by_word[word] = (plugin, cmd)
        self._commands[cmd.name] = (plugin, cmd)

    def find(self, word: str) -> tuple[str, Command] | None:
        """Return (plugin, command) for a name or alias, or ``None``."""
        return self._by_word.get(word.lower())

    def commands(self) -> list[Command]:
        """Return the commands sorted by name."""
        return [cmd for _, (_, cmd) in sorted(self._commands.items())]

    def help_text(self, prefix: str, level: Permission) -> str:
        """Return one line per command usable at ``level``: usage and help."""
        lines = [
            f"{cmd.usage(prefix)} — {cmd.help}" if cmd.help else cmd.usage(prefix)
            for cmd in self.commands()
            if cmd.permission <= level
        ]
        return "\n".join(lines)


class CooldownTracker:
    """Remembers when commands were last used; ``clock`` is monotonic seconds."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._until: dict[tuple[str, str], float] = {}

    def use(self, cmd: Command, user: JID, chat: JID) -> float:
        """Record a use of ``cmd`` if allowed; return 0, or the seconds left to wait."""
        if cmd.cooldown is None:
            return 0.0
        now = self._clock()
        key = (cmd.name, _scope_key(cmd.cooldown.per, user, chat))
        left = self._until.get(key, 0.0) - now
        if left > 0:
            return left
        if len(self._until) > 4096:
            self._until = {k: t for k, t in self._until.items() if t > now}
        self._until[key] = now + cmd.cooldown.seconds
        return 0.0


def _scope_key(scope: CooldownScope, user: JID, chat: JID) -> str:
    if scope is CooldownScope.USER:
        return str(user.to_non_ad())
    if scope is CooldownScope.CHAT:
        return str(chat)
    return f"{user.to_non_ad()}|{chat}"
