-- The vault's tables. Every byte about a person lives inside a `sealed` column
-- (XChaCha20-Poly1305, padded to a bucket). Outside the sealed bytes there are only
-- random ids, counters, key-derivation parameters and MACs.

-- One row: which vault this is. `vault_id` is random and bound into every sealed record's
-- associated data, so records cannot be moved between vaults.
CREATE TABLE vault (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    format INTEGER NOT NULL,
    vault_id BLOB NOT NULL CHECK (length(vault_id) = 16)
) STRICT;

-- The master key, wrapped once per passphrase or recovery code (LUKS-style).
-- `label` is sealed under the master key: a caseworker's name is not readable before unlock.
CREATE TABLE keyslot (
    slot_id BLOB PRIMARY KEY CHECK (length(slot_id) = 8),
    kind TEXT NOT NULL CHECK (kind IN ('passphrase', 'recovery')),
    salt BLOB NOT NULL CHECK (length(salt) = 16),
    ops_limit INTEGER NOT NULL,
    mem_limit INTEGER NOT NULL,
    wrapped_key BLOB NOT NULL,
    sealed_label BLOB
) STRICT, WITHOUT ROWID;

-- The current state of each case (the projection of its events), sealed.
-- WITHOUT ROWID: rows are stored in random-id order, so the file does not keep creation order.
CREATE TABLE case_snapshot (
    case_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    sealed BLOB NOT NULL
) STRICT, WITHOUT ROWID;

-- The append-only event log. The case an event belongs to is inside the sealed bytes, so the
-- log does not show how active each case is. `mac` chains every event to the one before it.
CREATE TABLE event (
    seq INTEGER PRIMARY KEY,
    sealed BLOB NOT NULL,
    mac BLOB NOT NULL CHECK (length(mac) = 32)
) STRICT;

CREATE TRIGGER event_is_append_only_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Published statistics, sealed and hash-chained, so a period's release is returned unchanged.
CREATE TABLE release (
    seq INTEGER PRIMARY KEY,
    sealed BLOB NOT NULL,
    mac BLOB NOT NULL CHECK (length(mac) = 32)
) STRICT;

CREATE TRIGGER release_is_append_only_update BEFORE UPDATE ON release
BEGIN SELECT RAISE(ABORT, 'releases are append-only'); END;
