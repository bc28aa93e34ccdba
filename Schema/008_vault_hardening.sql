-- Nothing stored in plain may vary with a case's stage, outcome, activity or age.
--
-- 1. `case_snapshot.version` counted a case's events in plain, so its distribution mapped
--    onto stages (an intake case has one event, a closed one five or more). The count now lives
--    only inside the sealed record. The stale-write check compares `write_tag` instead: 16
--    random bytes drawn afresh at every write of the row, which say nothing about how often
--    it was written.
-- 2. The random rowid becomes an explicit INTEGER PRIMARY KEY (`row_key`), kept as it was:
--    SQLite may renumber the implicit rowids of a table without one (VACUUM), which would put
--    the cases back in the order they came.
-- 3. Every keyslot gets a MAC (`mac`) over its public fields (id, kind, salt, cost, wrapped key,
--    sealed label) under a key derived from the master key, so a damaged slot is noticed at the
--    next unlock instead of the day it is needed. NULL until the first unlock of a vault made
--    before this format.
--
-- The old table's pages are zeroed as they are freed (`secure_delete` is on for every
-- connection), and the WAL is emptied after the migration, so no old counter is left behind.
CREATE TABLE case_row (
    row_key INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE,
    write_tag BLOB NOT NULL CHECK (length(write_tag) = 16),
    summary BLOB,
    sealed BLOB NOT NULL
) STRICT;

INSERT INTO case_row (row_key, case_id, write_tag, summary, sealed)
    SELECT rowid, case_id, randomblob(16), summary, sealed FROM case_snapshot;

DROP TABLE case_snapshot;
ALTER TABLE case_row RENAME TO case_snapshot;

ALTER TABLE keyslot ADD COLUMN mac BLOB CHECK (mac IS NULL OR length(mac) = 32);

UPDATE vault SET format = 8;
