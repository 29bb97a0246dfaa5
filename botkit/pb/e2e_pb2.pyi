from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MessageKey(_message.Message):
    __slots__ = ("remote_jid", "from_me", "id", "participant")
    REMOTE_JID_FIELD_NUMBER: _ClassVar[int]
    FROM_ME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    remote_jid: str
    from_me: bool
    id: str
    participant: str
    def __init__(self, remote_jid: _Optional[str] = ..., from_me: _Optional[bool] = ..., id: _Optional[str] = ..., participant: _Optional[str] = ...) -> None: ...

class ContextInfo(_message.Message):
    __slots__ = ("stanza_id", "participant", "quoted_message", "remote_jid", "mentioned_jid")
    STANZA_ID_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    QUOTED_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REMOTE_JID_FIELD_NUMBER: _ClassVar[int]
    MENTIONED_JID_FIELD_NUMBER: _ClassVar[int]
    stanza_id: str
    participant: str
    quoted_message: Message
    remote_jid: str
    mentioned_jid: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, stanza_id: _Optional[str] = ..., participant: _Optional[str] = ..., quoted_message: _Optional[_Union[Message, _Mapping]] = ..., remote_jid: _Optional[str] = ..., mentioned_jid: _Optional[_Iterable[str]] = ...) -> None: ...

class SenderKeyDistributionMessage(_message.Message):
    __slots__ = ("group_id", "axolotl_sender_key_distribution_message")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AXOLOTL_SENDER_KEY_DISTRIBUTION_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    axolotl_sender_key_distribution_message: bytes
    def __init__(self, group_id: _Optional[str] = ..., axolotl_sender_key_distribution_message: _Optional[bytes] = ...) -> None: ...

class ExtendedTextMessage(_message.Message):
    __slots__ = ("text", "context_info")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_INFO_FIELD_NUMBER: _ClassVar[int]
    text: str
    context_info: ContextInfo
    def __init__(self, text: _Optional[str] = ..., context_info: _Optional[_Union[ContextInfo, _Mapping]] = ...) -> None: ...

class ProtocolMessage(_message.Message):
    __slots__ = ("key", "type", "ephemeral_expiration", "edited_message", "timestamp_ms")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        REVOKE: _ClassVar[ProtocolMessage.Type]
        EPHEMERAL_SETTING: _ClassVar[ProtocolMessage.Type]
        EPHEMERAL_SYNC_RESPONSE: _ClassVar[ProtocolMessage.Type]
        HISTORY_SYNC_NOTIFICATION: _ClassVar[ProtocolMessage.Type]
        APP_STATE_SYNC_KEY_SHARE: _ClassVar[ProtocolMessage.Type]
        APP_STATE_SYNC_KEY_REQUEST: _ClassVar[ProtocolMessage.Type]
        MSG_FANOUT_BACKFILL_REQUEST: _ClassVar[ProtocolMessage.Type]
        INITIAL_SECURITY_NOTIFICATION_SETTING_SYNC: _ClassVar[ProtocolMessage.Type]
        APP_STATE_FATAL_EXCEPTION_NOTIFICATION: _ClassVar[ProtocolMessage.Type]
        SHARE_PHONE_NUMBER: _ClassVar[ProtocolMessage.Type]
        MESSAGE_EDIT: _ClassVar[ProtocolMessage.Type]
        PEER_DATA_OPERATION_REQUEST_MESSAGE: _ClassVar[ProtocolMessage.Type]
        PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE: _ClassVar[ProtocolMessage.Type]
        LID_MIGRATION_MAPPING_SYNC: _ClassVar[ProtocolMessage.Type]
    REVOKE: ProtocolMessage.Type
    EPHEMERAL_SETTING: ProtocolMessage.Type
    EPHEMERAL_SYNC_RESPONSE: ProtocolMessage.Type
    HISTORY_SYNC_NOTIFICATION: ProtocolMessage.Type
    APP_STATE_SYNC_KEY_SHARE: ProtocolMessage.Type
    APP_STATE_SYNC_KEY_REQUEST: ProtocolMessage.Type
    MSG_FANOUT_BACKFILL_REQUEST: ProtocolMessage.Type
    INITIAL_SECURITY_NOTIFICATION_SETTING_SYNC: ProtocolMessage.Type
    APP_STATE_FATAL_EXCEPTION_NOTIFICATION: ProtocolMessage.Type
    SHARE_PHONE_NUMBER: ProtocolMessage.Type
    MESSAGE_EDIT: ProtocolMessage.Type
    PEER_DATA_OPERATION_REQUEST_MESSAGE: ProtocolMessage.Type
    PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE: ProtocolMessage.Type
    LID_MIGRATION_MAPPING_SYNC: ProtocolMessage.Type
    KEY_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    EDITED_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    key: MessageKey
    type: ProtocolMessage.Type
    ephemeral_expiration: int
    edited_message: Message
    timestamp_ms: int
    def __init__(self, key: _Optional[_Union[MessageKey, _Mapping]] = ..., type: _Optional[_Union[ProtocolMessage.Type, str]] = ..., ephemeral_expiration: _Optional[int] = ..., edited_message: _Optional[_Union[Message, _Mapping]] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...

class ReactionMessage(_message.Message):
    __slots__ = ("key", "text", "sender_timestamp_ms")
    KEY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SENDER_TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    key: MessageKey
    text: str
    sender_timestamp_ms: int
    def __init__(self, key: _Optional[_Union[MessageKey, _Mapping]] = ..., text: _Optional[str] = ..., sender_timestamp_ms: _Optional[int] = ...) -> None: ...

class DeviceSentMessage(_message.Message):
    __slots__ = ("destination_jid", "message", "phash")
    DESTINATION_JID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PHASH_FIELD_NUMBER: _ClassVar[int]
    destination_jid: str
    message: Message
    phash: str
    def __init__(self, destination_jid: _Optional[str] = ..., message: _Optional[_Union[Message, _Mapping]] = ..., phash: _Optional[str] = ...) -> None: ...

class FutureProofMessage(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: Message
    def __init__(self, message: _Optional[_Union[Message, _Mapping]] = ...) -> None: ...

class MessageContextInfo(_message.Message):
    __slots__ = ("message_secret",)
    MESSAGE_SECRET_FIELD_NUMBER: _ClassVar[int]
    message_secret: bytes
    def __init__(self, message_secret: _Optional[bytes] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ("conversation", "sender_key_distribution_message", "extended_text_message", "protocol_message", "device_sent_message", "message_context_info", "view_once_message", "ephemeral_message", "reaction_message", "edited_message")
    CONVERSATION_FIELD_NUMBER: _ClassVar[int]
    SENDER_KEY_DISTRIBUTION_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_TEXT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_SENT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_CONTEXT_INFO_FIELD_NUMBER: _ClassVar[int]
    VIEW_ONCE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REACTION_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EDITED_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    conversation: str
    sender_key_distribution_message: SenderKeyDistributionMessage
    extended_text_message: ExtendedTextMessage
    protocol_message: ProtocolMessage
    device_sent_message: DeviceSentMessage
    message_context_info: MessageContextInfo
    view_once_message: FutureProofMessage
    ephemeral_message: FutureProofMessage
    reaction_message: ReactionMessage
    edited_message: FutureProofMessage
    def __init__(self, conversation: _Optional[str] = ..., sender_key_distribution_message: _Optional[_Union[SenderKeyDistributionMessage, _Mapping]] = ..., extended_text_message: _Optional[_Union[ExtendedTextMessage, _Mapping]] = ..., protocol_message: _Optional[_Union[ProtocolMessage, _Mapping]] = ..., device_sent_message: _Optional[_Union[DeviceSentMessage, _Mapping]] = ..., message_context_info: _Optional[_Union[MessageContextInfo, _Mapping]] = ..., view_once_message: _Optional[_Union[FutureProofMessage, _Mapping]] = ..., ephemeral_message: _Optional[_Union[FutureProofMessage, _Mapping]] = ..., reaction_message: _Optional[_Union[ReactionMessage, _Mapping]] = ..., edited_message: _Optional[_Union[FutureProofMessage, _Mapping]] = ...) -> None: ...
