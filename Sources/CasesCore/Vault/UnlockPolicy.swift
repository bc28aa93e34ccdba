import CasesCrypto
import Foundation
import GRDB

/// The optional rule "shred this vault after N wrong passphrases in a row", off by default, and
/// its counter.
///
/// It stops someone guessing passphrases on the laptop itself, through `cases`. It does not stop
/// anyone who copies the vault file first and guesses on another machine, and it is stored in
/// plain because it is needed before unlock (Schema/004_unlock_policy.sql says why that is
/// enough). A copy of the threshold is sealed under the master key, so that after an unlock a
/// threshold changed behind the caseworker's back shows as ``altered``.
public struct UnlockPolicy: Codable, Sendable, Equatable {
    /// Wrong passphrases (or recovery codes) in a row that shred the vault; nil when off.
    public var shredAfter: Int?
    /// Wrong tries counted since the last unlock.
    public var failures: Int
    /// The stored threshold is not the one last set with `cases key policy` (known after unlock).
    public var altered: Bool

    /// The thresholds accepted: one or two typos must never destroy a vault.
    public static let allowed = 3...1000

    public init(shredAfter: Int?, failures: Int = 0, altered: Bool = false) {
        self.shredAfter = shredAfter
        self.failures = failures
        self.altered = altered
    }

    static let table = "unlock_policy"

    /// What is sealed: the threshold alone (the counter changes before unlock, so it cannot be).
    struct Sealed: Codable { var shredAfter: Int? }
}

extension Vault {
    /// The policy as stored, readable before unlock; `altered` is always false here.
    public func unlockPolicy() throws -> UnlockPolicy {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT shred_after, failures FROM unlock_policy WHERE singleton = 1") else {
                return UnlockPolicy(shredAfter: nil)
            }
            return UnlockPolicy(shredAfter: row["shred_after"], failures: row["failures"])
        }
    }

    /// Runs one unlock attempt (`attempt` returns nil for a wrong secret) under the policy: the
    /// try is counted before it is made, so killing the process during the slow key derivation
    /// still counts it; a right one resets the count; the wrong one that reaches the threshold
    /// shreds the vault. With the policy off, nothing is written.
    func underUnlockPolicy(wrong: VaultError, _ attempt: () throws -> UnlockedVault?) throws -> UnlockedVault {
        let policy = enforcesUnlockPolicy ? try unlockPolicy() : UnlockPolicy(shredAfter: nil)
        guard let limit = policy.shredAfter else {
            guard let unlocked = try attempt() else { throw wrong }
            return unlocked
        }
        let failures = try write { db in
            try db.execute(sql: "UPDATE unlock_policy SET failures = failures + 1 WHERE singleton = 1")
            return try Int.fetchOne(db, sql: "SELECT failures FROM unlock_policy WHERE singleton = 1") ?? 1
        }
        guard let unlocked = try attempt() else {
            guard failures >= limit else { throw VaultError.wrongUnderPolicy(recoveryCode: wrong == .wrongRecoveryCode, triesLeft: limit - failures) }
            try? database.close() // folds the WAL into the file, where the shredder finds every keyslot
            try VaultShredder.shred(path: path, anchorFolder: anchorFolder)
            throw VaultError.shreddedByPolicy(limit)
        }
        try write { db in try db.execute(sql: "UPDATE unlock_policy SET failures = 0 WHERE singleton = 1") }
        unlocked.failedUnlocksBefore = failures - 1
        return unlocked
    }
}

extension UnlockedVault {
    /// The policy, with ``UnlockPolicy/altered`` checked against its sealed copy.
    public func unlockPolicy() throws -> UnlockPolicy {
        var policy = try vault.unlockPolicy()
        let sealed = try vault.read { db in try Data.fetchOne(db, sql: "SELECT sealed_policy FROM unlock_policy WHERE singleton = 1") }
        if let sealed {
            let set = try? open(UnlockPolicy.Sealed.self, sealed: sealed, table: UnlockPolicy.table, row: "1")
            policy.altered = set?.shredAfter != policy.shredAfter
        } else {
            policy.altered = policy.shredAfter != nil // a threshold cases never sealed
        }
        return policy
    }

    /// Sets the threshold (nil: off), seals a copy of it, and resets the counter.
    public func setUnlockPolicy(shredAfter: Int?) throws {
        if let n = shredAfter, !UnlockPolicy.allowed.contains(n) { throw VaultError.policyOutOfRange(n) }
        let sealed = try seal(UnlockPolicy.Sealed(shredAfter: shredAfter), table: UnlockPolicy.table, row: "1")
        try vault.write { db in
            try db.execute(
                sql: "UPDATE unlock_policy SET shred_after = ?, failures = 0, sealed_policy = ? WHERE singleton = 1",
                arguments: [shredAfter, sealed])
        }
    }
}
