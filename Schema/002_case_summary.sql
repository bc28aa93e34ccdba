-- A small sealed summary beside each case snapshot: what `list`, `due` and `stats` need (stage,
-- segment, reason, countries, a few dates, the name), so that they do not decode every whole
-- case. Sealed like the snapshot, under its own associated data; NULL until the case is next
-- written (readers then fall back to the snapshot).
ALTER TABLE case_snapshot ADD COLUMN summary BLOB;
