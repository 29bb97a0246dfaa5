"""The one error tree of botkit.

Every error botkit raises on purpose is a subclass of :class:`BotkitError`. Each layer catches the
errors of the layer below at its boundary and raises its own with ``raise ... from exc``, so a
caller only ever has to know the classes drawn here::

    BotkitError
    ├── ProtocolError                 the wire was not what the protocol allows
    │   ├── LocalProtocolError        we were asked to send something invalid (our bug)
    │   └── RemoteProtocolError       the peer sent something invalid (their bug, or an attack)
    │       ├── FrameTooLarge         a frame over the 16 MiB limit
    │       ├── HandshakeError        the Noise handshake failed (bad message, bad decryption)
    │       │   └── CertificateError  the server's certificate chain did not verify
    │       └── DecodeError           a binary node, JID or protobuf could not be decoded
    ├── CryptoError                   a signature, MAC or ciphertext did not verify
    │   └── InvalidSignature          an XEdDSA signature did not verify
    ├── ClientError                   the asyncio client could not do what was asked
    │   ├── NotConnected
    │   ├── LoggedOut
    │   ├── IQError                   the server answered an IQ with an error (code, text)
    │   └── IQTimeout
    ├── StoreError                    the store failed; nothing was half-written
    ├── ConfigError                   a configuration file is invalid (file, line, field path)
    └── PluginError                   a plugin failed to load or raised
"""

from __future__ import annotations

__all__ = [
    "BotkitError",
    "CertificateError",
    "ClientError",
    "ConfigError",
    "CryptoError",
    "DecodeError",
    "FrameTooLarge",
    "HandshakeError",
    "IQError",
    "IQTimeout",
    "InvalidSignature",
    "LocalProtocolError",
    "LoggedOut",
    "NotConnected",
    "PluginError",
    "ProtocolError",
    "RemoteProtocolError",
    "StoreError",
]


class BotkitError(Exception):
    """Base class of every error botkit raises on purpose."""


class ProtocolError(BotkitError):
    """The bytes on the wire are not what the protocol allows."""


class LocalProtocolError(ProtocolError):
    """We were asked to send something the protocol does not allow (a bug on our side)."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something the protocol does not allow."""


class FrameTooLarge(RemoteProtocolError):
    """A frame declared a length at or over the 16 MiB limit."""


class HandshakeError(RemoteProtocolError):
    """The Noise handshake could not be completed."""


class CertificateError(HandshakeError):
    """The server's certificate chain failed one of the checks of PROTOCOL.md §2.5."""


class DecodeError(RemoteProtocolError):
    """A binary node, JID or protobuf message could not be decoded."""


class CryptoError(BotkitError):
    """A signature, MAC or ciphertext did not verify."""


class InvalidSignature(CryptoError):
    """An XEdDSA signature did not verify."""


class ClientError(BotkitError):
    """The client could not do what was asked."""


class NotConnected(ClientError):
    """The operation needs a connection and there is none."""


class LoggedOut(ClientError):
    """The device was unlinked or its session was rejected; it must pair again."""


class IQError(ClientError):
    """The server answered an IQ with ``type="error"``."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"IQ error {code}: {text}")
        self.code = code
        self.text = text


class IQTimeout(ClientError):
    """No answer to an IQ arrived in time."""


class StoreError(BotkitError):
    """The store failed; the unit of work that raised was not written."""


class ConfigError(BotkitError):
    """A configuration file is invalid."""


class PluginError(BotkitError):
    """A plugin failed to load, or raised while handling an event."""
