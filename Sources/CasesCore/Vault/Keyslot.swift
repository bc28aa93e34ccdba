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
    /// The keyed BLAKE2b of every field above (``authenticate(master:vaultID:)``); nil is damage.
    var mac: Data?

    enum CodingKeys: String, CodingKey {
        case slotID = "slot_id", kind, salt, opsLimit = "ops_limit", memLimit = "mem_limit"
        case wrappedKey = "wrapped_key", sealedLabel = "sealed_label", mac
    }

    var parameters: Argon2Parameters {
        Argon2Parameters(opsLimit: UInt64(max(opsLimit, 0)), memLimit: UInt64(max(memLimit, 0)))
    }

    /// The slot id as shown to people: 16 hex digits.
    var displayID: String { slotID.hexString }

    private static func associatedData(vaultID: [UInt8], slotID: Data, kind: Kind, salt: Data, parameters: Argon2Parameters) -> [UInt8] {
        Array("cases.keyslot".utf8) + [0] + vaultID + Array(slotID) + Array(kind.rawValue.utf8) + [0]
            + Array(salt) + bigEndian(parameters.opsLimit) + bigEndian(parameters.memLimit)
    }

    private static func bigEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }

    // MARK: - Integrity

    /// Sets ``mac`` over the slot's public fields as they are now. Every write of a slot calls
    /// this last (init, `key add`, `key passwd`, a label change, a rotation's rewrap): a slot
    /// written without it is reported as damaged at the next unlock.
    mutating func authenticate(master: MasterKey, vaultID: [UInt8]) {
        mac = Data(expectedMAC(key: master.keyslots, vaultID: vaultID))
    }

    /// Authenticates the slot (``authenticate(master:vaultID:)``) and writes it, new or
    /// replacing the slot with its id: the one way a slot is stored.
    mutating func store(_ db: Database, master: MasterKey, vaultID: [UInt8]) throws {
        authenticate(master: master, vaultID: vaultID)
        try save(db)
    }

    /// Whether ``mac`` matches the slot's public fields (compared in constant time). A slot
    /// whose salt, cost, wrapped key or sealed label was changed, even by one bit, does not.
    func isAuthentic(master: MasterKey, vaultID: [UInt8]) -> Bool {
        guard let mac else { return false }
        return constantTimeEqual(Array(mac), expectedMAC(key: master.keyslots, vaultID: vaultID))
    }

    /// Keyed BLAKE2b over every public field, each of variable length prefixed by its length,
    /// so no two different slots give the same input.
    private func expectedMAC(key: SecretBytes, vaultID: [UInt8]) -> [UInt8] {
        func field(_ bytes: Data?) -> [UInt8] {
            guard let bytes else { return [0] }
            return [1] + Self.bigEndian(UInt64(bytes.count)) + Array(bytes)
        }
        return KeyedHash.mac(
            [
                Array("cases.keyslot-mac".utf8) + [0], vaultID, field(slotID), field(Data(kind.rawValue.utf8)), field(salt),
                Self.bigEndian(UInt64(bitPattern: opsLimit)), Self.bigEndian(UInt64(bitPattern: memLimit)),
                field(wrappedKey), field(sealedLabel),
            ], key: key)
    }

    /// A new slot wrapping `master` under `secret` (a passphrase or recovery code).
    static func make(kind: Kind, secret: SecretBytes, parameters: Argon2Parameters, master: MasterKey, vaultID: [UInt8], slotID: Data? = nil) throws
        -> Keyslot
    {
        let id = slotID ?? Data(Random.bytes(8))
        let salt = Data(Random.bytes(PasswordHash.saltLength))
        let kek = try PasswordHash.deriveKey(length: XChaCha20Poly1305.keyLength, passphrase: secret, salt: Array(salt), parameters: parameters)
        let ad = associatedData(vaultID: vaultID, slotID: id, kind: kind, salt: salt, parameters: parameters)
        let wrapped = try master.secret.withUnsafeBytes { m in try XChaCha20Poly1305.seal(m, associatedData: ad, key: kek) }
        return Keyslot(
            slotID: id, kind: kind, salt: salt, opsLimit: Int64(parameters.opsLimit), memLimit: Int64(parameters.memLimit),
            wrappedKey: Data(wrapped), sealedLabel: nil, mac: nil)
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
