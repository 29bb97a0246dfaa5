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
    │           └── InvalidPlaintext  a message decrypted to something that is not a Message
    ├── CryptoError                   a signature, MAC or ciphertext did not verify
    │   ├── InvalidSignature          an XEdDSA signature did not verify
    │   ├── BadMac                    a message authentication code did not match
    │   ├── InvalidMessage            a Signal message is truncated or its protobuf is invalid
    │   │   └── UnsupportedVersion    a Signal message of a version we do not speak
    │   ├── DuplicateMessage          a message counter or iteration was already used (replay)
    │   ├── TooFarAhead               a message more than 2,000 steps ahead of its chain
    │   ├── UnknownPreKey             a pre-key message names a pre-key we do not have
    │   ├── NoSession                 no Signal session (or sender key) to decrypt with
    │   ├── UntrustedIdentity         a peer's identity key changed; the caller decides trust
    │   ├── BadPadding                the plaintext padding is malformed
    │   └── MediaHashMismatch         a media file's SHA-256 is not the one its message names
    ├── ClientError                   the asyncio client could not do what was asked
    │   ├── NotConnected
    │   ├── LoggedOut
    │   ├── IQError                   the server answered an IQ with an error (code, text)
    │   │   ├── NotAuthorized         401/403: we may not do that (not an admin, not a member)
    │   │   ├── NotFound              404: no such group (or user)
    │   │   └── InviteInvalid         406/410: the invite code is malformed or was revoked
    │   ├── SendFailed                a message could not be sent
    │   │   ├── SendTimeout           the server did not acknowledge it in time
    │   │   └── SendRejected          the server acknowledged it with an error code
    │   ├── IQTimeout
    │   ├── MediaTransferFailed       a media upload or download failed (HTTP status or network)
    │   └── NoPushName                announcing ourselves available needs a push name (set one)
    ├── StoreError                    the store failed; nothing was half-written
    │   ├── AccountLocked             another process holds the account's lease (names the holder)
    │   └── MigrationError            the database schema could not be brought up to date
    ├── ConfigError                   a configuration file is invalid (file, line, field path)
    ├── PluginError                   a plugin failed to load or raised
    └── SandboxRefusal                the sandbox refused a request (``code``: IQ or ack error)
"""

from __future__ import annotations

__all__ = [
    "AccountLocked",
    "BadMac",
    "BadPadding",
    "BotkitError",
    "CertificateError",
    "ClientError",
    "ConfigError",
    "CryptoError",
    "DecodeError",
    "DuplicateMessage",
    "FrameTooLarge",
    "HandshakeError",
    "IQError",
    "IQTimeout",
    "InvalidMessage",
    "InvalidPlaintext",
    "InvalidSignature",
    "InviteInvalid",
    "LocalProtocolError",
    "LoggedOut",
    "MediaHashMismatch",
    "MediaTransferFailed",
    "MigrationError",
    "NoPushName",
    "NoSession",
    "NotAuthorized",
    "NotConnected",
    "NotFound",
    "PluginError",
    "ProtocolError",
    "RemoteProtocolError",
    "SandboxRefusal",
    "SendFailed",
    "SendRejected",
    "SendTimeout",
    "StoreError",
    "TooFarAhead",
    "UnknownPreKey",
    "UnsupportedVersion",
    "UntrustedIdentity",
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


class InvalidPlaintext(DecodeError):
    """A message decrypted, but its plaintext is not a ``Message`` we accept (nack 491)."""


class CryptoError(BotkitError):
    """A signature, MAC or ciphertext did not verify."""


class InvalidSignature(CryptoError):
    """An XEdDSA signature did not verify."""


class BadMac(CryptoError):
    """A message authentication code did not match."""


class InvalidMessage(CryptoError):
    """A Signal message is truncated, its protobuf is invalid, or a field is out of range."""


class UnsupportedVersion(InvalidMessage):
    """A Signal message carries a version byte we do not speak."""


class DuplicateMessage(CryptoError):
    """A message counter (or sender-key iteration) was already used: a replay or a duplicate."""


class TooFarAhead(CryptoError):
    """A message is further ahead of its chain than the bounded number of skipped keys allows."""


class UnknownPreKey(CryptoError):
    """A pre-key message names a one-time or signed pre-key id we do not have."""


class NoSession(CryptoError):
    """There is no Signal session (or sender-key state) that can decrypt this message."""


class UntrustedIdentity(CryptoError):
    """A peer's identity key differs from the one we trust; the caller decides what to do.

    ``address`` names the peer; ``identity_key`` is the new (public) identity key it presented.
    """

    def __init__(self, address: str, identity_key: bytes) -> None:
        super().__init__(f"the identity key of {address} changed")
        self.address = address
        self.identity_key = identity_key


class BadPadding(CryptoError):
    """The plaintext padding is malformed."""


class MediaHashMismatch(CryptoError):
    """A media file's SHA-256 (encrypted or plain) is not the one its message names."""


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


class NotAuthorized(IQError):
    """The server refused: we are not allowed (not a group admin, not a member...)."""


class NotFound(IQError):
    """The server knows no such group (or user)."""


class InviteInvalid(IQError):
    """The group invite code is malformed (406) or was revoked (410)."""


class SendFailed(ClientError):
    """A message could not be sent (no device to send to, or see the subclasses)."""


class SendTimeout(SendFailed):
    """The server did not acknowledge a sent message in time (it may still deliver it)."""


class SendRejected(SendFailed):
    """The server acknowledged a sent message with an error code (``code``)."""

    def __init__(self, message_id: str, code: int) -> None:
        super().__init__(f"the server refused message {message_id} with error {code}")
        self.code = code


class IQTimeout(ClientError):
    """No answer to an IQ arrived in time."""


class MediaTransferFailed(ClientError):
    """A media upload or download failed; ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class NoPushName(ClientError):
    """We have no push name to announce ourselves ``available`` with (WhatsApp requires one).

    Set it with :meth:`botkit.client.presence.Presence.set_push_name` first.
    """


class StoreError(BotkitError):
    """The store failed; the unit of work that raised was not written."""


class AccountLocked(StoreError):
    """Another process holds the lease of this account; ``holder`` names it.

    ``expires_at`` is the holder's lease expiry (seconds since the epoch): a crashed holder's lease
    lapses then, and the account can be opened again.
    """

    def __init__(self, account: str, holder: str, expires_at: float) -> None:
        super().__init__(
            f"account {account!r} is in use by {holder} (lease expires at {expires_at:.0f})"
        )
        self.account = account
        self.holder = holder
        self.expires_at = expires_at


class MigrationError(StoreError):
    """The database schema could not be brought up to date (or is newer than this botkit)."""


class ConfigError(BotkitError):
    """A configuration file is invalid."""


class PluginError(BotkitError):
    """A plugin failed to load, or raised while handling an event."""


class SandboxRefusal(BotkitError):
    """The sandbox refused a request by its rules; ``code`` is the IQ or ack error it answers.

    403 not allowed (not a member, not an admin), 404 no such group, 400 a bad value...
    """

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
