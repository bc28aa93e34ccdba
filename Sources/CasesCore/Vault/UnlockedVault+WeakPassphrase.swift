import Foundation
import GRDB

extension UnlockedVault {
    /// Appends to the audit log that keyslot `slotID` was given a passphrase under
    /// ``PassphraseStrength/minimumBits`` with `--accept-weak-passphrase`, inside the transaction
    /// that writes the slot, so the slot never exists without the record.
    ///
    /// It is an event of the MAC-chained log like any other (sealed, padded, numbered), under
    /// ``CaseID/vaultWide``: `audit verify` checks it and `audit verify --verbose` lists it.
    func recordWeakPassphrase(_ db: Database, slotID: Data) throws {
        let caseload = Caseload(vault: self)
        var event = caseload.newEvent(.vaultWide, .weakPassphraseAccepted)
        event.reason = slotID.hexString
        _ = try caseload.append(db, event)
    }
}
