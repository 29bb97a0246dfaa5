"""Sans-IO stanzas: building the nodes a client or server sends and reading the ones it gets.

``ids`` (message and request ids), ``iq`` (requests, results, errors), ``usync`` (device
lists and LIDs), ``prekeys`` (count, upload, bundle fetch), ``message`` (the ``<message>``
stanza both ways), ``receipt`` (receipts and acks) and ``phash`` (the participant hash).
"""

from botkit.core.stanza.ids import (
    MESSAGE_ID_PREFIX,
    is_message_id,
    message_id,
    request_id,
    request_id_prefix,
)
from botkit.core.stanza.iq import (
    IQ_ERROR_TEXTS,
    error_reply,
    iq,
    iq_error,
    result_payload,
    result_reply,
)
from botkit.core.stanza.message import (
    Enc,
    EncType,
    IncomingMessage,
    enc_node,
    is_group_like,
    message_node,
    parse_message,
    split_for_devices,
)
from botkit.core.stanza.phash import participant_hash
from botkit.core.stanza.prekeys import (
    KEY_TYPE,
    KeyFetchResult,
    bundle_children,
    count_query,
    key_fetch_query,
    key_node,
    parse_bundle,
    parse_count,
    parse_key_fetch_result,
    skey_node,
    upload_query,
)
from botkit.core.stanza.receipt import (
    Receipt,
    RetryRequest,
    ServerAck,
    ack,
    delivery_receipt,
    parse_receipt,
    parse_server_ack,
    read_receipt,
    retry_receipt,
)
from botkit.core.stanza.usync import UserDevices, device_query, parse_device_result

__all__ = [
    "IQ_ERROR_TEXTS",
    "KEY_TYPE",
    "MESSAGE_ID_PREFIX",
    "Enc",
    "EncType",
    "IncomingMessage",
    "KeyFetchResult",
    "Receipt",
    "RetryRequest",
    "ServerAck",
    "UserDevices",
    "ack",
    "bundle_children",
    "count_query",
    "delivery_receipt",
    "device_query",
    "enc_node",
    "error_reply",
    "iq",
    "iq_error",
    "is_group_like",
    "is_message_id",
    "key_fetch_query",
    "key_node",
    "message_id",
    "message_node",
    "parse_bundle",
    "parse_count",
    "parse_device_result",
    "parse_key_fetch_result",
    "parse_message",
    "parse_receipt",
    "parse_server_ack",
    "participant_hash",
    "read_receipt",
    "request_id",
    "request_id_prefix",
    "result_payload",
    "result_reply",
    "retry_receipt",
    "skey_node",
    "split_for_devices",
    "upload_query",
]
