import Foundation
import GRDB

extension UnlockedVault {
    /// Compares the vault with this laptop's record of its last state and sets ``anchorStatus``:
    /// a record behind the vault (a write whose record was lost, or the vault's use elsewhere)
    /// is moved forward; a missing one is made. Cheap (the heads and a count of case ids, not an
    /// audit), so it runs at every unlock.
    func checkAnchor() {
        guard let folder = vault.anchorFolder else { return }
        let anchor = RollbackAnchor(folder: folder, vaultID: vault.vaultID, key: key.anchor)
        self.anchor = anchor
        do {
            switch try vault.read({ db in try anchor.compare(db) }) {
            case .behind(let f): anchorStatus = .rolledBack(f)
            case .damaged: anchorStatus = .damaged(path: anchor.path)
            case .consistent(let heads, let changed):
                if changed { try anchor.store(heads) }
                anchorStatus = .consistent
            case .unrecorded(let heads):
                try anchor.store(heads)
                anchorStatus = .started(hadHistory: heads.eventSeq > 0 || heads.releaseSeq > 0)
            }
        } catch {
            anchorStatus = .notKept((error as? any CasesError)?.description ?? "\(folder) cannot be written")
        }
    }

    /// Writes this laptop's record of the vault afresh from the vault as it is now, sealed under
    /// the current master key: for a key rotation, which seals everything again under a new key
    /// (the old record would no longer open). Trusts the vault as it stands, so call it only
    /// right after the rotation's own write.
    public func rewriteAnchor() throws {
        guard let folder = anchor?.folder ?? vault.anchorFolder else { return }
        let fresh = RollbackAnchor(folder: folder, vaultID: vault.vaultID, key: key.anchor)
        try fresh.store(try vault.read { db in try VaultHeads.read(db) })
        self.anchor = fresh
        anchorStatus = .consistent
    }
}
