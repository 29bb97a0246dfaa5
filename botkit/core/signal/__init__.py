"""Signal-protocol building blocks: keys, XEdDSA, pre-keys, 1:1 sessions (X3DH, ratchet),
group sender keys and WhatsApp's plaintext padding.

Sessions are records in, records out: :func:`process_bundle`, :func:`encrypt`,
:func:`decrypt_prekey_message` and :func:`decrypt_message` take a :class:`SessionRecord` and
return a new one; :func:`process_distribution`, :func:`group_encrypt` and :func:`group_decrypt`
do the same with a :class:`SenderKeyRecord`. On failure they raise a
:class:`~botkit.errors.CryptoError` subclass and return nothing. Records serialize to bytes in
botkit's versioned format.
"""

from botkit.core.signal.cipher import (
    CiphertextMessage,
    decrypt_message,
    decrypt_prekey_message,
    encrypt,
    process_bundle,
)
from botkit.core.signal.group import (
    create_sender_key,
    distribution_message,
    group_decrypt,
    group_encrypt,
    process_distribution,
)
from botkit.core.signal.keys import (
    KEY_TYPE_DJB,
    KeyPair,
    clamp_private_key,
    dh,
    parse_public_key,
    public_key_from_private,
    serialize_public_key,
)
from botkit.core.signal.padding import pad, unpad
from botkit.core.signal.prekeys import (
    MAX_PREKEY_ID,
    PreKey,
    PreKeyBundle,
    SignedPreKey,
    generate_identity_key_pair,
    generate_prekeys,
    generate_registration_id,
    generate_signed_prekey,
    next_prekey_id,
)
from botkit.core.signal.sender_key_record import SenderKeyRecord, SenderKeyState
from botkit.core.signal.session import SessionRecord, SessionState
from botkit.core.signal.wire import parse_prekey_message
from botkit.core.signal.xeddsa import sign, verify

__all__ = [
    "KEY_TYPE_DJB",
    "MAX_PREKEY_ID",
    "CiphertextMessage",
    "KeyPair",
    "PreKey",
    "PreKeyBundle",
    "SenderKeyRecord",
    "SenderKeyState",
    "SessionRecord",
    "SessionState",
    "SignedPreKey",
    "clamp_private_key",
    "create_sender_key",
    "decrypt_message",
    "decrypt_prekey_message",
    "dh",
    "distribution_message",
    "encrypt",
    "generate_identity_key_pair",
    "generate_prekeys",
    "generate_registration_id",
    "generate_signed_prekey",
    "group_decrypt",
    "group_encrypt",
    "next_prekey_id",
    "pad",
    "parse_prekey_message",
    "parse_public_key",
    "process_bundle",
    "process_distribution",
    "public_key_from_private",
    "serialize_public_key",
    "sign",
    "unpad",
    "verify",
]
