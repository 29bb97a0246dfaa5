-- Contacts, the LID <-> phone-number mapping, the group and device-list caches, the bounded
-- cache of sent messages and the plugins' key-value storage.

CREATE TABLE contacts (
    account_id INTEGER NOT NULL,
    jid TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    full_name TEXT NOT NULL DEFAULT '',
    push_name TEXT NOT NULL DEFAULT '',
    business_name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, jid)
) WITHOUT ROWID;

CREATE TABLE lid_mappings (
    account_id INTEGER NOT NULL,
    lid TEXT NOT NULL,
    pn TEXT NOT NULL,
    PRIMARY KEY (account_id, lid)
) WITHOUT ROWID;
CREATE UNIQUE INDEX lid_mappings_by_pn ON lid_mappings (account_id, pn);

CREATE TABLE group_cache (
    account_id INTEGER NOT NULL,
    jid TEXT NOT NULL,
    metadata BLOB NOT NULL,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (account_id, jid)
) WITHOUT ROWID;

CREATE TABLE device_lists (
    account_id INTEGER NOT NULL,
    user TEXT NOT NULL,
    device_ids TEXT NOT NULL,  -- comma-separated ids
    device_hash TEXT,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (account_id, user)
) WITHOUT ROWID;

CREATE TABLE sent_messages (
    seq INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    chat TEXT NOT NULL,
    message_id TEXT NOT NULL,
    payload BLOB NOT NULL,
    sent_at REAL NOT NULL
);
CREATE UNIQUE INDEX sent_messages_by_id ON sent_messages (account_id, chat, message_id);
CREATE INDEX sent_messages_by_seq ON sent_messages (account_id, seq);

CREATE TABLE plugin_values (
    account_id INTEGER NOT NULL,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (account_id, namespace, key)
) WITHOUT ROWID;
