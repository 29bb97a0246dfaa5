-- App-state sync keys and, per collection, the version, LTHash and index MAC -> value MAC map.

CREATE TABLE app_state_keys (
    account_id INTEGER NOT NULL,
    key_id BLOB NOT NULL,
    key_data BLOB NOT NULL,
    fingerprint BLOB NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (account_id, key_id)
) WITHOUT ROWID;

CREATE TABLE app_state_versions (
    account_id INTEGER NOT NULL,
    collection TEXT NOT NULL,
    version INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (account_id, collection)
) WITHOUT ROWID;

CREATE TABLE app_state_macs (
    account_id INTEGER NOT NULL,
    collection TEXT NOT NULL,
    index_mac BLOB NOT NULL,
    value_mac BLOB NOT NULL,
    PRIMARY KEY (account_id, collection, index_mac)
) WITHOUT ROWID;
