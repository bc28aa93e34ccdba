-- The label of each removed keyslot, sealed as it was in `keyslot`, so that `history` and
-- `audit verify` still name who made an event after that caseworker's slot is removed. Holds no
-- key material: a removed slot can never unlock anything again.
CREATE TABLE removed_keyslot (
    slot_id BLOB PRIMARY KEY CHECK (length(slot_id) = 8),
    sealed_label BLOB
) STRICT, WITHOUT ROWID;
