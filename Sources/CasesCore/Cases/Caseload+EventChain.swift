import CasesCrypto
import Foundation
import GRDB

/// The event log's MAC chain: each row's keyed hash covers the one before, so a removed,
/// reordered or replaced event breaks the chain.
extension Caseload {
    /// Appends `event` to the chained log and returns its sequence number.
    func append(_ db: Database, _ event: CaseEvent) throws -> Int64 {
        let tip = try chainTip(db)
        let seq = tip.seq + 1
        _ = try insertEvent(db, seq: seq, sealed: try vault.seal(event, table: Self.eventTable, row: String(seq)), after: tip.mac)
        return seq
    }

    /// The last event's number and MAC (0 and zeros for an empty log): where the chain goes on.
    func chainTip(_ db: Database) throws -> (seq: Int64, mac: Data) {
        try EventTable.tip(db)
    }

    /// Inserts one sealed event chained to the MAC before it, and returns its own MAC.
    func insertEvent(_ db: Database, seq: Int64, sealed: Data, after previous: Data) throws -> Data {
        let mac = Self.chainMAC(previous: previous, seq: seq, sealed: sealed, key: vault.key.audit)
        try EventTable.Inserter(db).insert(seq: seq, sealed: sealed, mac: mac)
        return mac
    }

    /// The keyed BLAKE2b of `previous ‖ seq (8 bytes, big-endian) ‖ sealed`.
    static func chainMAC(previous: Data, seq: Int64, sealed: Data, key: SecretBytes) -> Data {
        var seqBytes = UInt64(bitPattern: seq).bigEndian
        var mac = Data(count: 32)
        mac.withUnsafeMutableBytes { out in
            previous.withUnsafeBytes { p in
                withUnsafeBytes(of: &seqBytes) { s in
                    sealed.withUnsafeBytes { b in KeyedHash.mac([p, s, b], key: key, into: out) }
                }
            }
        }
        return mac
    }
}
