import Foundation
import GRDB

/// Where a vault's two chains end, and how many cases it holds: what this laptop remembers of
/// the vault between runs (``RollbackAnchor``), so that a vault put back to an earlier state is
/// noticed.
///
/// The heads are the last row of each chain: its number and its MAC, which covers every row
/// before it. A vault whose event head is older than the recorded one has lost events; one
/// whose row at the recorded number carries another MAC was rewritten from there. Deleting one
/// case row leaves both chains as they were, so the number of cases is kept too.
public struct VaultHeads: Equatable, Sendable {
    public var eventSeq: Int64
    var eventMAC: Data
    public var releaseSeq: Int64
    var releaseMAC: Data
    public var caseCount: Int64

    static let empty = VaultHeads(eventSeq: 0, eventMAC: Data(count: 32), releaseSeq: 0, releaseMAC: Data(count: 32), caseCount: 0)

    /// The heads as they are inside `db`'s transaction: two index lookups and a count of the
    /// case ids' index (a few milliseconds at 100,000 cases), cheap enough for every unlock.
    static func read(_ db: Database) throws -> VaultHeads {
        func head(_ table: String) throws -> (Int64, Data) {
            let row = try Row.fetchOne(db, sql: "SELECT seq, mac FROM \(table) ORDER BY seq DESC LIMIT 1")
            return (row?["seq"] ?? 0, row?["mac"] ?? Data(count: 32))
        }
        let (eventSeq, eventMAC) = try head("event")
        let (releaseSeq, releaseMAC) = try head("release")
        let count = try Int64.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot") ?? 0
        return VaultHeads(eventSeq: eventSeq, eventMAC: eventMAC, releaseSeq: releaseSeq, releaseMAC: releaseMAC, caseCount: count)
    }

    /// The MAC of row `seq` of `table` ("event" or "release"), nil if there is no such row.
    static func mac(_ db: Database, table: String, seq: Int64) throws -> Data? {
        try Data.fetchOne(db, sql: "SELECT mac FROM \(table) WHERE seq = ?", arguments: [seq])
    }

    // MARK: - Encoding

    static let version: UInt8 = 1
    /// `version ‖ event seq ‖ event MAC ‖ release seq ‖ release MAC ‖ cases`, numbers 8 bytes
    /// big-endian: always the same length, so the sealed anchor's size never varies.
    static let encodedCount = 1 + 8 + 32 + 8 + 32 + 8

    func encoded() -> [UInt8] {
        func be(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: UInt64(bitPattern: v).bigEndian, Array.init) }
        return [Self.version] + be(eventSeq) + [UInt8](eventMAC) + be(releaseSeq) + [UInt8](releaseMAC) + be(caseCount)
    }

    init(eventSeq: Int64, eventMAC: Data, releaseSeq: Int64, releaseMAC: Data, caseCount: Int64) {
        (self.eventSeq, self.eventMAC, self.releaseSeq, self.releaseMAC, self.caseCount) = (eventSeq, eventMAC, releaseSeq, releaseMAC, caseCount)
    }

    init(decoding bytes: [UInt8]) throws {
        guard bytes.count == Self.encodedCount, bytes[0] == Self.version else { throw RecordMalformed() }
        func be(_ at: Int) -> Int64 { Int64(bitPattern: bytes[at..<at + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) }
        eventSeq = be(1)
        eventMAC = Data(bytes[9..<41])
        releaseSeq = be(41)
        releaseMAC = Data(bytes[49..<81])
        caseCount = be(81)
        guard eventSeq >= 0, releaseSeq >= 0, caseCount >= 0 else { throw RecordMalformed() }
    }
}
