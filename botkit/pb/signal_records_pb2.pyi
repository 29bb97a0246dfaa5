from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChainKeyData(_message.Message):
    __slots__ = ("key", "index")
    KEY_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    index: int
    def __init__(self, key: _Optional[bytes] = ..., index: _Optional[int] = ...) -> None: ...

class SkippedKeyData(_message.Message):
    __slots__ = ("counter", "seed")
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    counter: int
    seed: bytes
    def __init__(self, counter: _Optional[int] = ..., seed: _Optional[bytes] = ...) -> None: ...

class ReceiverChainData(_message.Message):
    __slots__ = ("ratchet_key", "chain_key", "skipped")
    RATCHET_KEY_FIELD_NUMBER: _ClassVar[int]
    CHAIN_KEY_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    ratchet_key: bytes
    chain_key: ChainKeyData
    skipped: _containers.RepeatedCompositeFieldContainer[SkippedKeyData]
    def __init__(self, ratchet_key: _Optional[bytes] = ..., chain_key: _Optional[_Union[ChainKeyData, _Mapping]] = ..., skipped: _Optional[_Iterable[_Union[SkippedKeyData, _Mapping]]] = ...) -> None: ...

class PendingPreKeyData(_message.Message):
    __slots__ = ("pre_key_id", "signed_pre_key_id", "local_registration_id")
    PRE_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNED_PRE_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    LOCAL_REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    pre_key_id: int
    signed_pre_key_id: int
    local_registration_id: int
    def __init__(self, pre_key_id: _Optional[int] = ..., signed_pre_key_id: _Optional[int] = ..., local_registration_id: _Optional[int] = ...) -> None: ...

class SessionStateData(_message.Message):
    __slots__ = ("remote_identity", "remote_registration_id", "base_key", "root_key", "sender_ratchet_private", "sender_ratchet_public", "sender_chain_key", "previous_counter", "receiver_chains", "pending")
    REMOTE_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    REMOTE_REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    BASE_KEY_FIELD_NUMBER: _ClassVar[int]
    ROOT_KEY_FIELD_NUMBER: _ClassVar[int]
    SENDER_RATCHET_PRIVATE_FIELD_NUMBER: _ClassVar[int]
    SENDER_RATCHET_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    SENDER_CHAIN_KEY_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_COUNTER_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_CHAINS_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    remote_identity: bytes
    remote_registration_id: int
    base_key: bytes
    root_key: bytes
    sender_ratchet_private: bytes
    sender_ratchet_public: bytes
    sender_chain_key: ChainKeyData
    previous_counter: int
    receiver_chains: _containers.RepeatedCompositeFieldContainer[ReceiverChainData]
    pending: PendingPreKeyData
    def __init__(self, remote_identity: _Optional[bytes] = ..., remote_registration_id: _Optional[int] = ..., base_key: _Optional[bytes] = ..., root_key: _Optional[bytes] = ..., sender_ratchet_private: _Optional[bytes] = ..., sender_ratchet_public: _Optional[bytes] = ..., sender_chain_key: _Optional[_Union[ChainKeyData, _Mapping]] = ..., previous_counter: _Optional[int] = ..., receiver_chains: _Optional[_Iterable[_Union[ReceiverChainData, _Mapping]]] = ..., pending: _Optional[_Union[PendingPreKeyData, _Mapping]] = ...) -> None: ...

class SessionRecordData(_message.Message):
    __slots__ = ("current", "previous")
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    current: SessionStateData
    previous: _containers.RepeatedCompositeFieldContainer[SessionStateData]
    def __init__(self, current: _Optional[_Union[SessionStateData, _Mapping]] = ..., previous: _Optional[_Iterable[_Union[SessionStateData, _Mapping]]] = ...) -> None: ...

class PreKeyRecordData(_message.Message):
    __slots__ = ("id", "private_key", "public_key")
    ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    id: int
    private_key: bytes
    public_key: bytes
    def __init__(self, id: _Optional[int] = ..., private_key: _Optional[bytes] = ..., public_key: _Optional[bytes] = ...) -> None: ...

class SignedPreKeyRecordData(_message.Message):
    __slots__ = ("id", "private_key", "public_key", "signature")
    ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    id: int
    private_key: bytes
    public_key: bytes
    signature: bytes
    def __init__(self, id: _Optional[int] = ..., private_key: _Optional[bytes] = ..., public_key: _Optional[bytes] = ..., signature: _Optional[bytes] = ...) -> None: ...
