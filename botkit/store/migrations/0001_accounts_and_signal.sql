-- Accounts, their leases and credentials, the Signal stores and the inbound journal.
-- Every account-scoped table is keyed by accounts.id, so several accounts share one file.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    next_pre_key_id INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL
);

CREATE TABLE account_leases (
    account_id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at REAL NOT NULL
);

CREATE TABLE credentials (
    account_id INTEGER PRIMARY KEY,
    noise_private BLOB NOT NULL,
    identity_private BLOB NOT NULL,
    signed_pre_key_id INTEGER NOT NULL,
    signed_pre_key_private BLOB NOT NULL,
    signed_pre_key_signature BLOB NOT NULL,
    registration_id INTEGER NOT NULL,
    adv_secret BLOB NOT NULL,
    jid TEXT,
    lid TEXT,
    signed_device_identity BLOB,
    platform TEXT NOT NULL DEFAULT '',
    push_name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE pre_keys (
    account_id INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    private_key BLOB NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, key_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
    account_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    record BLOB NOT NULL,
    UNIQUE (account_id, name, device_id)
);

CREATE TABLE identities (
    account_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    identity_key BLOB NOT NULL,
    PRIMARY KEY (account_id, name, device_id)
) WITHOUT ROWID;

CREATE TABLE identity_changes (
    seq INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    old_key BLOB NOT NULL,
    new_key BLOB NOT NULL,
    changed_at REAL NOT NULL
);
CREATE INDEX identity_changes_by_address ON identity_changes (account_id, name, device_id);

CREATE TABLE sender_keys (
    account_id INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    sender_device INTEGER NOT NULL,
    record BLOB NOT NULL,
    UNIQUE (account_id, group_id, sender_name, sender_device)
);

CREATE TABLE inbound_journal (
    account_id INTEGER NOT NULL,
    chat TEXT NOT NULL,
    sender TEXT NOT NULL,
    message_id TEXT NOT NULL,
    committed_at REAL NOT NULL,
    PRIMARY KEY (account_id, chat, sender, message_id)
) WITHOUT ROWID;
CREATE INDEX inbound_journal_by_age ON inbound_journal (account_id, committed_at);

-- The unit of work. A single multi-row INSERT into this view is one SQLite statement, hence
-- atomic even in autocommit mode: every effect of an inbound message (and every batched write of
-- sessions, sender keys or identities) is written by ONE awaited call. Rows are effects:
--   kind 0 journal entry (a chat, b sender, c message id); a duplicate aborts the statement
--   kind 1 session put   (a name, n device, blob record)
--   kind 2 pre-key consumed (n key id)
--   kind 3 sender key put (a group, b sender name, n sender device, blob record)
--   kind 4 identity trust (a name, n device, blob key): a changed key is appended to the history
--   kind 5 session delete (a name, n device; n NULL deletes every device of a)
CREATE VIEW effects (account_id, kind, a, b, c, n, blob, at) AS
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0;

CREATE TRIGGER effects_journal INSTEAD OF INSERT ON effects WHEN NEW.kind = 0
BEGIN
    SELECT RAISE(ABORT, 'botkit: duplicate inbound message')
        WHERE EXISTS (
            SELECT 1 FROM inbound_journal
            WHERE account_id = NEW.account_id AND chat = NEW.a AND sender = NEW.b
                AND message_id = NEW.c);
    INSERT INTO inbound_journal (account_id, chat, sender, message_id, committed_at)
        VALUES (NEW.account_id, NEW.a, NEW.b, NEW.c, NEW.at);
END;

CREATE TRIGGER effects_session_put INSTEAD OF INSERT ON effects WHEN NEW.kind = 1
BEGIN
    INSERT INTO sessions (account_id, name, device_id, record)
        VALUES (NEW.account_id, NEW.a, NEW.n, NEW.blob)
        ON CONFLICT DO UPDATE SET record = excluded.record;
END;

CREATE TRIGGER effects_pre_key_used INSTEAD OF INSERT ON effects WHEN NEW.kind = 2
BEGIN
    DELETE FROM pre_keys WHERE account_id = NEW.account_id AND key_id = NEW.n;
END;

CREATE TRIGGER effects_sender_key_put INSTEAD OF INSERT ON effects WHEN NEW.kind = 3
BEGIN
    INSERT INTO sender_keys (account_id, group_id, sender_name, sender_device, record)
        VALUES (NEW.account_id, NEW.a, NEW.b, NEW.n, NEW.blob)
        ON CONFLICT DO UPDATE SET record = excluded.record;
END;

CREATE TRIGGER effects_identity_trust INSTEAD OF INSERT ON effects WHEN NEW.kind = 4
BEGIN
    INSERT INTO identity_changes (account_id, name, device_id, old_key, new_key, changed_at)
        SELECT NEW.account_id, NEW.a, NEW.n, identity_key, NEW.blob, NEW.at FROM identities
        WHERE account_id = NEW.account_id AND name = NEW.a AND device_id = NEW.n
            AND identity_key != NEW.blob;
    INSERT INTO identities (account_id, name, device_id, identity_key)
        VALUES (NEW.account_id, NEW.a, NEW.n, NEW.blob)
        ON CONFLICT DO UPDATE SET identity_key = excluded.identity_key;
END;

CREATE TRIGGER effects_session_delete INSTEAD OF INSERT ON effects WHEN NEW.kind = 5
BEGIN
    DELETE FROM sessions
        WHERE account_id = NEW.account_id AND name = NEW.a AND (NEW.n IS NULL OR device_id = NEW.n);
END;
