from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SkippedSenderKey(_message.Message):
    __slots__ = ("iteration", "seed")
    ITERATION_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    iteration: int
    seed: bytes
    def __init__(self, iteration: _Optional[int] = ..., seed: _Optional[bytes] = ...) -> None: ...

class SenderKeyStateData(_message.Message):
    __slots__ = ("key_id", "chain_iteration", "chain_key", "signing_public", "signing_private", "skipped")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    CHAIN_ITERATION_FIELD_NUMBER: _ClassVar[int]
    CHAIN_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNING_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    SIGNING_PRIVATE_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    key_id: int
    chain_iteration: int
    chain_key: bytes
    signing_public: bytes
    signing_private: bytes
    skipped: _containers.RepeatedCompositeFieldContainer[SkippedSenderKey]
    def __init__(self, key_id: _Optional[int] = ..., chain_iteration: _Optional[int] = ..., chain_key: _Optional[bytes] = ..., signing_public: _Optional[bytes] = ..., signing_private: _Optional[bytes] = ..., skipped: _Optional[_Iterable[_Union[SkippedSenderKey, _Mapping]]] = ...) -> None: ...

class SenderKeyRecordData(_message.Message):
    __slots__ = ("states",)
    STATES_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedCompositeFieldContainer[SenderKeyStateData]
    def __init__(self, states: _Optional[_Iterable[_Union[SenderKeyStateData, _Mapping]]] = ...) -> None: ...
