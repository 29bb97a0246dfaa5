"""botkit.server: the sandbox, a local WhatsApp-compatible server for tests (ARCHITECTURE.md)."""

from botkit.server.app import Sandbox

__all__ = ["Sandbox"]
