"""The sans-IO end-to-end message pipeline (PROTOCOL.md §9, §10).

Send: :func:`encrypt_direct` and :func:`encrypt_group` turn a plaintext ``Message`` and the
records the caller holds into a ``<message>`` node and new records;
:func:`encrypt_resend` answers a retry receipt. Receive:
:func:`decrypt_incoming` turns an incoming ``<message>`` into the ``Message``, new records and
the receipt to send after committing them; :func:`failure_answers` says what to send when it
raised. :func:`decrypt_parts` decrypts each ``<enc>`` on its own and says what each gave, so a
sender key distributed in a message whose content fails is kept (:class:`Outcome`).
Records in, records out: nothing here stores, draws randomness or reads a clock.
"""

from botkit.core.e2e.local import LocalDevice, message_attrs
from botkit.core.e2e.parts import DecryptedParts, Outcome, Part, decrypt_parts
from botkit.core.e2e.receive import (
    NACK_INVALID_PROTOBUF,
    NACK_PARSING_ERROR,
    ReceivedMessage,
    decrypt_incoming,
    failure_answers,
)
from botkit.core.e2e.resend import encrypt_resend
from botkit.core.e2e.send import OutgoingMessage, encrypt_direct, encrypt_group

__all__ = [
    "NACK_INVALID_PROTOBUF",
    "NACK_PARSING_ERROR",
    "DecryptedParts",
    "LocalDevice",
    "Outcome",
    "OutgoingMessage",
    "Part",
    "ReceivedMessage",
    "decrypt_incoming",
    "decrypt_parts",
    "encrypt_direct",
    "encrypt_group",
    "encrypt_resend",
    "failure_answers",
    "message_attrs",
]
