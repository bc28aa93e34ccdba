-- The optional policy "shred the vault after N wrong passphrases in a row" (`cases key policy`)
-- and its counter. Both are needed before unlock, so they are stored in plain.
--
-- Plain storage is enough here. Whoever can edit this file can also copy it and guess offline
-- with no counter at all, or delete it: lowering `shred_after` (even to 1) or raising `failures`
-- lets them destroy the vault, which deleting it does too; switching the policy off or resetting
-- the counter only removes a limit they never had on a copy. The policy stops someone guessing
-- on the laptop itself through `cases`, nothing more. `sealed_policy` (the threshold sealed under
-- the master key) lets the next unlock tell the caseworker that the setting was changed behind
-- their back; NULL until the policy is first set.
CREATE TABLE unlock_policy (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    shred_after INTEGER CHECK (shred_after IS NULL OR shred_after >= 1),
    failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    sealed_policy BLOB
) STRICT;

INSERT INTO unlock_policy (singleton, shred_after, failures) VALUES (1, NULL, 0);
