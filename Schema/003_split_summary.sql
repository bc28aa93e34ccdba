-- Two layout fixes, measured at 100,000 cases (the vault had grown to 760 MB, a third of it
-- empty space, and `list` read all of it):
--
-- 1. Summaries get their own small table, so `list`, `due` and `stats` read about 300 bytes a
--    case instead of walking every whole snapshot to reach a column stored after it.
-- 2. Snapshots move to a rowid table. In a WITHOUT ROWID table a row longer than about 1,000
--    bytes (a sealed case is 1-4 KiB) spills onto an overflow page of its own, which wasted
--    2-3 KiB a case. The rowid is random (never a counter), so the file still keeps no
--    creation order; cases are found by id through the unique index.
CREATE TABLE case_summary (
    case_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    sealed BLOB NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO case_summary (case_id, version, sealed)
    SELECT case_id, version, summary FROM case_snapshot WHERE summary IS NOT NULL;

CREATE TABLE case_record (
    case_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    sealed BLOB NOT NULL
) STRICT;

INSERT INTO case_record (rowid, case_id, version, sealed)
    SELECT random(), case_id, version, sealed FROM case_snapshot;

DROP TABLE case_snapshot;
ALTER TABLE case_record RENAME TO case_snapshot;
