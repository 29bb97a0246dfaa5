from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeviceProps(_message.Message):
    __slots__ = ("os", "version", "platform_type", "require_full_sync", "history_sync_config")
    class PlatformType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[DeviceProps.PlatformType]
        CHROME: _ClassVar[DeviceProps.PlatformType]
        FIREFOX: _ClassVar[DeviceProps.PlatformType]
        IE: _ClassVar[DeviceProps.PlatformType]
        OPERA: _ClassVar[DeviceProps.PlatformType]
        SAFARI: _ClassVar[DeviceProps.PlatformType]
        EDGE: _ClassVar[DeviceProps.PlatformType]
        DESKTOP: _ClassVar[DeviceProps.PlatformType]
        IPAD: _ClassVar[DeviceProps.PlatformType]
        ANDROID_TABLET: _ClassVar[DeviceProps.PlatformType]
        IOS_PHONE: _ClassVar[DeviceProps.PlatformType]
        ANDROID_PHONE: _ClassVar[DeviceProps.PlatformType]
        UWP: _ClassVar[DeviceProps.PlatformType]
    UNKNOWN: DeviceProps.PlatformType
    CHROME: DeviceProps.PlatformType
    FIREFOX: DeviceProps.PlatformType
    IE: DeviceProps.PlatformType
    OPERA: DeviceProps.PlatformType
    SAFARI: DeviceProps.PlatformType
    EDGE: DeviceProps.PlatformType
    DESKTOP: DeviceProps.PlatformType
    IPAD: DeviceProps.PlatformType
    ANDROID_TABLET: DeviceProps.PlatformType
    IOS_PHONE: DeviceProps.PlatformType
    ANDROID_PHONE: DeviceProps.PlatformType
    UWP: DeviceProps.PlatformType
    class AppVersion(_message.Message):
        __slots__ = ("primary", "secondary", "tertiary", "quaternary", "quinary")
        PRIMARY_FIELD_NUMBER: _ClassVar[int]
        SECONDARY_FIELD_NUMBER: _ClassVar[int]
        TERTIARY_FIELD_NUMBER: _ClassVar[int]
        QUATERNARY_FIELD_NUMBER: _ClassVar[int]
        QUINARY_FIELD_NUMBER: _ClassVar[int]
        primary: int
        secondary: int
        tertiary: int
        quaternary: int
        quinary: int
        def __init__(self, primary: _Optional[int] = ..., secondary: _Optional[int] = ..., tertiary: _Optional[int] = ..., quaternary: _Optional[int] = ..., quinary: _Optional[int] = ...) -> None: ...
    class HistorySyncConfig(_message.Message):
        __slots__ = ("full_sync_days_limit", "full_sync_size_mb_limit", "storage_quota_mb", "inline_initial_payload_in_e2ee_msg", "recent_sync_days_limit", "support_call_log_history", "support_bot_user_agent_chat_history", "support_cag_reactions_and_polls", "support_biz_hosted_msg", "support_recent_sync_chunk_message_count_tuning", "support_hosted_group_msg", "support_fbid_bot_chat_history", "support_add_on_history_sync_migration", "support_message_association", "support_group_history", "on_demand_ready", "support_guest_chat", "complete_on_demand_ready", "thumbnail_sync_days_limit")
        FULL_SYNC_DAYS_LIMIT_FIELD_NUMBER: _ClassVar[int]
        FULL_SYNC_SIZE_MB_LIMIT_FIELD_NUMBER: _ClassVar[int]
        STORAGE_QUOTA_MB_FIELD_NUMBER: _ClassVar[int]
        INLINE_INITIAL_PAYLOAD_IN_E2EE_MSG_FIELD_NUMBER: _ClassVar[int]
        RECENT_SYNC_DAYS_LIMIT_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_CALL_LOG_HISTORY_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_BOT_USER_AGENT_CHAT_HISTORY_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_CAG_REACTIONS_AND_POLLS_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_BIZ_HOSTED_MSG_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_RECENT_SYNC_CHUNK_MESSAGE_COUNT_TUNING_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_HOSTED_GROUP_MSG_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_FBID_BOT_CHAT_HISTORY_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_ADD_ON_HISTORY_SYNC_MIGRATION_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_MESSAGE_ASSOCIATION_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_GROUP_HISTORY_FIELD_NUMBER: _ClassVar[int]
        ON_DEMAND_READY_FIELD_NUMBER: _ClassVar[int]
        SUPPORT_GUEST_CHAT_FIELD_NUMBER: _ClassVar[int]
        COMPLETE_ON_DEMAND_READY_FIELD_NUMBER: _ClassVar[int]
        THUMBNAIL_SYNC_DAYS_LIMIT_FIELD_NUMBER: _ClassVar[int]
        full_sync_days_limit: int
        full_sync_size_mb_limit: int
        storage_quota_mb: int
        inline_initial_payload_in_e2ee_msg: bool
        recent_sync_days_limit: int
        support_call_log_history: bool
        support_bot_user_agent_chat_history: bool
        support_cag_reactions_and_polls: bool
        support_biz_hosted_msg: bool
        support_recent_sync_chunk_message_count_tuning: bool
        support_hosted_group_msg: bool
        support_fbid_bot_chat_history: bool
        support_add_on_history_sync_migration: bool
        support_message_association: bool
        support_group_history: bool
        on_demand_ready: bool
        support_guest_chat: bool
        complete_on_demand_ready: bool
        thumbnail_sync_days_limit: int
        def __init__(self, full_sync_days_limit: _Optional[int] = ..., full_sync_size_mb_limit: _Optional[int] = ..., storage_quota_mb: _Optional[int] = ..., inline_initial_payload_in_e2ee_msg: _Optional[bool] = ..., recent_sync_days_limit: _Optional[int] = ..., support_call_log_history: _Optional[bool] = ..., support_bot_user_agent_chat_history: _Optional[bool] = ..., support_cag_reactions_and_polls: _Optional[bool] = ..., support_biz_hosted_msg: _Optional[bool] = ..., support_recent_sync_chunk_message_count_tuning: _Optional[bool] = ..., support_hosted_group_msg: _Optional[bool] = ..., support_fbid_bot_chat_history: _Optional[bool] = ..., support_add_on_history_sync_migration: _Optional[bool] = ..., support_message_association: _Optional[bool] = ..., support_group_history: _Optional[bool] = ..., on_demand_ready: _Optional[bool] = ..., support_guest_chat: _Optional[bool] = ..., complete_on_demand_ready: _Optional[bool] = ..., thumbnail_sync_days_limit: _Optional[int] = ...) -> None: ...
    OS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_FULL_SYNC_FIELD_NUMBER: _ClassVar[int]
    HISTORY_SYNC_CONFIG_FIELD_NUMBER: _ClassVar[int]
    os: str
    version: DeviceProps.AppVersion
    platform_type: DeviceProps.PlatformType
    require_full_sync: bool
    history_sync_config: DeviceProps.HistorySyncConfig
    def __init__(self, os: _Optional[str] = ..., version: _Optional[_Union[DeviceProps.AppVersion, _Mapping]] = ..., platform_type: _Optional[_Union[DeviceProps.PlatformType, str]] = ..., require_full_sync: _Optional[bool] = ..., history_sync_config: _Optional[_Union[DeviceProps.HistorySyncConfig, _Mapping]] = ...) -> None: ...

class ClientPairingProps(_message.Message):
    __slots__ = ("is_chat_db_lid_migrated", "is_syncd_pure_lid_session", "is_syncd_snapshot_recovery_enabled", "is_hs_thumbnail_sync_enabled", "subscription_sync_payload")
    IS_CHAT_DB_LID_MIGRATED_FIELD_NUMBER: _ClassVar[int]
    IS_SYNCD_PURE_LID_SESSION_FIELD_NUMBER: _ClassVar[int]
    IS_SYNCD_SNAPSHOT_RECOVERY_ENABLED_FIELD_NUMBER: _ClassVar[int]
    IS_HS_THUMBNAIL_SYNC_ENABLED_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_SYNC_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    is_chat_db_lid_migrated: bool
    is_syncd_pure_lid_session: bool
    is_syncd_snapshot_recovery_enabled: bool
    is_hs_thumbnail_sync_enabled: bool
    subscription_sync_payload: bytes
    def __init__(self, is_chat_db_lid_migrated: _Optional[bool] = ..., is_syncd_pure_lid_session: _Optional[bool] = ..., is_syncd_snapshot_recovery_enabled: _Optional[bool] = ..., is_hs_thumbnail_sync_enabled: _Optional[bool] = ..., subscription_sync_payload: _Optional[bytes] = ...) -> None: ...
