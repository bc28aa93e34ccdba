/// An event about the vault as a whole rather than one case, kept in the same MAC-chained log
/// so that `audit verify` shows it beside the caseworkers' actions: for now, a caseworker
/// accepting a vault that is older than this laptop's record of it (a restored backup).
///
/// Sealed like a case's events, in a row of its own, told apart by its first byte. A build
/// that does not know it reads the row as a damaged event, so it never passes unnoticed.
public struct VaultEvent: BinaryRecord, Equatable, Sendable {
    static var marker: UInt8 { 0x04 }

    public enum Kind: String, Codable, Sendable, Vocabulary {
        /// `cases audit accept-rollback`: the vault as it stands became this laptop's record.
        case rollbackAccepted = "rollback_accepted"
        public static var fieldName: String { "vault event" }
    }

    public var kind: Kind
    /// When (ISO 8601, UTC).
    public var at: String
    /// The keyslot that did it.
    public var actor: String
    /// What was accepted, in plain words ("the last 3 events are missing").
    public var detail: String?

    init(kind: Kind, at: String, actor: String, detail: String?) {
        (self.kind, self.at, self.actor, self.detail) = (kind, at, actor, detail)
    }

    init(reading r: inout RecordReader) throws {
        self.init(kind: try required(r.vocabulary()), at: try r.requiredText(), actor: try r.requiredText(), detail: try r.text())
    }

    func write(to w: inout RecordWriter) {
        w.text(kind as Kind?); w.text(at); w.text(actor); w.text(detail)
    }
}
