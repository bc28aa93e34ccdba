import CasesCrypto
import Foundation

/// One entry of the release ledger, linked to the one before it by a BLAKE2b hash: a release
/// (with the quarters it froze, if it was the first to count them) or a change of settings.
///
/// The vault seals each entry; the chain makes a removed, reordered or edited entry visible
/// even to someone who can seal new ones, because every later hash would change. Fields that an
/// entry does not carry are left out of its bytes, so entries written before they existed
/// still hash as they did.
public struct ReleaseLedgerEntry: Hashable, Codable, Sendable {
    public let id: String
    public let period: Period?
    /// `TableSpec.canonicalForm`: the key under which the same request finds this entry again.
    public let canonicalSpec: String?
    public let mechanism: String?
    public let k: Int?
    public let roundingBase: Int?
    public let epsilon: ExactRational?
    /// Whether the coordinator asked for this release although one of the same table existed.
    public let isRevision: Bool?
    public let release: Release?
    /// The quarters this release froze: the first release counting a quarter, or a revision.
    public let frozen: [FrozenQuarter]?
    /// New vault-wide statistics settings (an entry without a release).
    public let settings: StatisticsSettings?
    /// Lower-case hex of the previous entry's hash (64 zeros for the first entry).
    public let previousHash: String
    /// Lower-case hex of BLAKE2b-256 over the previous hash and `canonicalEncoding()`.
    public private(set) var hash: String

    /// The previous hash of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    init(release: Release, isRevision: Bool, frozen: [FrozenQuarter], previousHash: String) throws {
        id = release.id
        period = release.period
        canonicalSpec = release.spec.canonicalForm
        mechanism = release.method
        k = release.k
        roundingBase = release.roundingBase
        epsilon = release.epsilon
        self.isRevision = isRevision
        self.release = release
        self.frozen = frozen.isEmpty ? nil : frozen
        settings = nil
        self.previousHash = previousHash
        hash = ""
        hash = try computedHash()
    }

    init(settings: StatisticsSettings, previousHash: String) throws {
        id = Release.newID()
        self.settings = settings
        (period, canonicalSpec, mechanism, k, roundingBase, epsilon, isRevision, release, frozen) = (nil, nil, nil, nil, nil, nil, nil, nil, nil)
        self.previousHash = previousHash
        hash = ""
        hash = try computedHash()
    }

    /// The bytes the hash covers: every field but the hash, as JSON with sorted keys.
    public func canonicalEncoding() throws -> [UInt8] {
        struct Body: Encodable {
            let id: String, period: Period?, canonicalSpec: String?, mechanism: String?, k: Int?, roundingBase: Int?
            let epsilon: ExactRational?, isRevision: Bool?, release: Release?, frozen: [FrozenQuarter]?, settings: StatisticsSettings?
            let previousHash: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Body(
            id: id, period: period, canonicalSpec: canonicalSpec, mechanism: mechanism, k: k, roundingBase: roundingBase,
            epsilon: epsilon, isRevision: isRevision, release: release, frozen: frozen, settings: settings,
            previousHash: previousHash)
        return Array(try encoder.encode(body))
    }

    /// The hash this entry should carry, recomputed from its contents.
    public func computedHash() throws -> String {
        let digest = KeyedHash.hash([Array("cases.release-ledger.v1".utf8), Array(previousHash.utf8), try canonicalEncoding()])
        return digest.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }

    /// Whether the entry is well formed: a release whose summary fields repeat it, or settings.
    var isConsistent: Bool {
        if let release {
            return settings == nil && id == release.id && period == release.period && canonicalSpec == release.spec.canonicalForm
                && epsilon == release.epsilon && mechanism == release.method
        }
        return settings != nil && frozen == nil
    }
}
