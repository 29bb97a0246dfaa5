"""botkit.client: the asyncio WhatsApp session (see ARCHITECTURE.md, layer L3).

:class:`Client` is the entry point; the other names configure it.
"""

from botkit.client.client import Client
from botkit.client.config import ClientTiming, ServerConfig
from botkit.client.keepalive import KeepAliveTiming
from botkit.client.pairing import PairingTiming
from botkit.client.payload import DeviceConfig
from botkit.client.sink import EventQueue, EventSink, SinkEvent
from botkit.client.supervisor import Backoff
from botkit.errors import SendFailed, SendRejected, SendTimeout

__all__ = [
    "Backoff",
    "Client",
    "ClientTiming",
    "DeviceConfig",
    "EventQueue",
    "EventSink",
    "KeepAliveTiming",
    "PairingTiming",
    "SendFailed",
    "SendRejected",
    "SendTimeout",
    "ServerConfig",
    "SinkEvent",
]
