from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CertChain(_message.Message):
    __slots__ = ("leaf", "intermediate")
    class NoiseCertificate(_message.Message):
        __slots__ = ("details", "signature")
        class Details(_message.Message):
            __slots__ = ("serial", "issuer_serial", "key", "not_before", "not_after")
            SERIAL_FIELD_NUMBER: _ClassVar[int]
            ISSUER_SERIAL_FIELD_NUMBER: _ClassVar[int]
            KEY_FIELD_NUMBER: _ClassVar[int]
            NOT_BEFORE_FIELD_NUMBER: _ClassVar[int]
            NOT_AFTER_FIELD_NUMBER: _ClassVar[int]
            serial: int
            issuer_serial: int
            key: bytes
            not_before: int
            not_after: int
            def __init__(self, serial: _Optional[int] = ..., issuer_serial: _Optional[int] = ..., key: _Optional[bytes] = ..., not_before: _Optional[int] = ..., not_after: _Optional[int] = ...) -> None: ...
        DETAILS_FIELD_NUMBER: _ClassVar[int]
        SIGNATURE_FIELD_NUMBER: _ClassVar[int]
        details: bytes
        signature: bytes
        def __init__(self, details: _Optional[bytes] = ..., signature: _Optional[bytes] = ...) -> None: ...
    LEAF_FIELD_NUMBER: _ClassVar[int]
    INTERMEDIATE_FIELD_NUMBER: _ClassVar[int]
    leaf: CertChain.NoiseCertificate
    intermediate: CertChain.NoiseCertificate
    def __init__(self, leaf: _Optional[_Union[CertChain.NoiseCertificate, _Mapping]] = ..., intermediate: _Optional[_Union[CertChain.NoiseCertificate, _Mapping]] = ...) -> None: ...
