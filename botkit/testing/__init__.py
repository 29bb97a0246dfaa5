"""botkit.testing: helpers for testing botkit and plugins (the pytest plugin comes later)."""

from botkit.testing.fake import FakeClient, FakeClock, MemoryKeyValueStore, SentMessage

__all__ = ["FakeClient", "FakeClock", "MemoryKeyValueStore", "SentMessage"]
