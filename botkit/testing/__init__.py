"""botkit.testing: helpers for testing botkit and plugins.

* :mod:`botkit.testing.fake`: an in-memory client and a virtual clock (no server at all);
* :mod:`botkit.testing.bots` and :mod:`botkit.testing.users`: bots and scripted users on an
  in-process sandbox, through the whole protocol;
* :mod:`botkit.testing.pytest_plugin`: those as pytest fixtures (``sandbox``, ``sandbox_bot``,
  ``sandbox_users``), registered automatically when botkit is installed.
"""

from botkit.testing.bots import TEST_TIMING, SandboxBot, SandboxBots
from botkit.testing.fake import FakeClient, FakeClock, MemoryKeyValueStore, SentMessage
from botkit.testing.users import SandboxUsers, ScriptedUser

__all__ = [
    "TEST_TIMING",
    "FakeClient",
    "FakeClock",
    "MemoryKeyValueStore",
    "SandboxBot",
    "SandboxBots",
    "SandboxUsers",
    "ScriptedUser",
    "SentMessage",
]
