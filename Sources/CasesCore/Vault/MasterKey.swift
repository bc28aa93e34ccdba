import CasesCrypto

/// The vault's random 32-byte master key and the sub-keys derived from it, one per purpose.
///
/// Only ever stored wrapped in keyslots. Every sub-key comes from `crypto_kdf_derive_from_key`
/// with its own context, so compromising one use of a key does not touch the others.
public final class MasterKey: Sendable {
    let secret: SecretBytes
    /// Seals case snapshots and events.
    let records: SecretBytes
    /// Chains the audit log.
    let audit: SecretBytes
    /// Seals and chains statistics releases.
    let ledger: SecretBytes
    /// Keyed hashes for duplicate detection, so names are compared without being stored.
    let blindIndex: SecretBytes
    /// Seals keyslot labels.
    let labels: SecretBytes
    /// Seals this laptop's record of the vault's last state, kept outside the vault
    /// (``RollbackAnchor``).
    let anchor: SecretBytes

    init(secret: SecretBytes) throws {
        self.secret = secret
        records = try SubkeyDerivation.derive(id: 1, context: "casesrec", from: secret)
        audit = try SubkeyDerivation.derive(id: 2, context: "casesaud", from: secret)
        ledger = try SubkeyDerivation.derive(id: 3, context: "casesled", from: secret)
        blindIndex = try SubkeyDerivation.derive(id: 4, context: "casesidx", from: secret)
        labels = try SubkeyDerivation.derive(id: 5, context: "caseslbl", from: secret)
        anchor = try SubkeyDerivation.derive(id: 6, context: "casesanc", from: secret)
    }

    static func generate() throws -> MasterKey {
        try MasterKey(secret: SecretBytes.random(count: SubkeyDerivation.masterKeyLength))
    }
}
