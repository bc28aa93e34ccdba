import CasesCrypto
import Foundation
import GRDB

/// One way into the vault: the master key wrapped under a key derived (Argon2id) from a
/// passphrase or the recovery code, LUKS-style.
///
/// The slot's id, kind, salt and cost are associated data of the wrap, so a slot whose cost was
/// lowered, or that was copied from another vault, does not unwrap. Changing a passphrase
/// rewrites one slot and never touches the data.
struct Keyslot: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "keyslot"

    enum Kind: String, Codable { case passphrase, recovery }

    var slotID: Data
    var kind: Kind
    var salt: Data
    var opsLimit: Int64
    var memLimit: Int64
    var wrappedKey: Data
    var sealedLabel: Data?

    enum CodingKeys: String, CodingKey {
        case slotID = "slot_id", kind, salt, opsLimit = "ops_limit", memLimit = "mem_limit"
        case wrappedKey = "wrapped_key", sealedLabel = "sealed_label"
    }

    var parameters: Argon2Parameters {
        Argon2Parameters(opsLimit: UInt64(max(opsLimit, 0)), memLimit: UInt64(max(memLimit, 0)))
    }

    /// The slot id as shown to people: 16 hex digits.
    var displayID: String { slotID.hexString }

    private static func associatedData(vaultID: [UInt8], slotID: Data, kind: Kind, salt: Data, parameters: Argon2Parameters) -> [UInt8] {
        func be(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }
        return Array("cases.keyslot".utf8) + [0] + vaultID + Array(slotID) + Array(kind.rawValue.utf8) + [0]
            + Array(salt) + be(parameters.opsLimit) + be(parameters.memLimit)
    }

    /// A new slot wrapping `master` under `secret` (a passphrase or recovery code).
    static func make(kind: Kind, secret: SecretBytes, parameters: Argon2Parameters, master: MasterKey, vaultID: [UInt8], slotID: Data? = nil) throws -> Keyslot {
        let id = slotID ?? Data(Random.bytes(8))
        let salt = Data(Random.bytes(PasswordHash.saltLength))
        let kek = try PasswordHash.deriveKey(length: XChaCha20Poly1305.keyLength, passphrase: secret, salt: Array(salt), parameters: parameters)
        let ad = associatedData(vaultID: vaultID, slotID: id, kind: kind, salt: salt, parameters: parameters)
        let wrapped = try master.secret.withUnsafeBytes { m in try XChaCha20Poly1305.seal(m, associatedData: ad, key: kek) }
        return Keyslot(slotID: id, kind: kind, salt: salt, opsLimit: Int64(parameters.opsLimit), memLimit: Int64(parameters.memLimit),
                       wrappedKey: Data(wrapped), sealedLabel: nil)
    }

    /// The master key if `secret` opens this slot, nil if it does not.
    func unwrap(secret: SecretBytes, vaultID: [UInt8]) throws -> SecretBytes? {
        guard parameters.isAcceptable, salt.count == PasswordHash.saltLength else { return nil }
        let kek = try PasswordHash.deriveKey(length: XChaCha20Poly1305.keyLength, passphrase: secret, salt: Array(salt), parameters: parameters)
        let ad = Self.associatedData(vaultID: vaultID, slotID: slotID, kind: kind, salt: salt, parameters: parameters)
        do {
            return try XChaCha20Poly1305.openSecret(Array(wrappedKey), associatedData: ad, key: kek)
        } catch CryptoError.authenticationFailed {
            return nil
        }
    }
}

/// What `cases key list` shows of a keyslot: nothing secret.
public struct KeyslotInfo: Codable, Sendable, Equatable {
    public var id: String
    public var kind: String
    public var label: String?
    public var profile: String
    /// Whether this slot unlocked the current session.
    public var inUse: Bool

    enum CodingKeys: String, CodingKey { case id, kind, label, profile, inUse = "in_use" }
}

extension Argon2Parameters {
    /// The named profile these parameters match, or "custom".
    var profileName: String {
        Profile.allCases.first { Argon2Parameters(profile: $0) == self }?.rawValue ?? "custom"
    }
}
