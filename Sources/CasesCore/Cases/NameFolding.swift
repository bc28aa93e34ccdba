import Foundation

/// A name as the duplicate key compares it: case and diacritics folded (Foundation's
/// `folding`), split at whitespace and hyphens, the parts joined by one space; as UTF-8.
///
/// Every imported row is keyed, and Foundation's folding and splitting at `Character`s is slow.
/// A name made only of ASCII and basic Cyrillic (U+0000–U+045F, where every scalar is a
/// character of its own, but for CR LF) is folded one scalar at a time from a table that
/// Foundation's own folding filled; any other name takes Foundation's path. Tested equal on
/// every scalar of the table and on generated names.
enum NameFolding {
    static func folded(_ name: String) -> [UInt8] {
        fast(name) ?? reference(name)
    }

    /// Foundation's folding, the definition.
    static func reference(_ name: String) -> [UInt8] {
        Array(
            name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                .split(whereSeparator: { $0.isWhitespace || $0 == "-" }).joined(separator: " ").utf8)
    }

    /// The table's path, or nil for a name with a scalar outside it.
    static func fast(_ name: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        var pendingSpace = false
        for scalar in name.unicodeScalars {
            guard Int(scalar.value) < table.count else { return nil }
            switch table[Int(scalar.value)] {
            case .unknown: return nil
            case .separator: pendingSpace = !out.isEmpty
            case .folded(let bytes):
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out += bytes
            }
        }
        return out
    }

    enum Entry { case separator, folded([UInt8]), unknown }

    /// What Foundation makes of each scalar alone: a separator, folded bytes holding no
    /// separator, or (anything else) unknown.
    static let table: [Entry] = (0..<0x460).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return .unknown }
        // A mark joins the character before it into one, which the scalar-wise path cannot follow.
        let p = scalar.properties
        if p.isGraphemeExtend || [.nonspacingMark, .spacingMark, .enclosingMark].contains(p.generalCategory) { return .unknown }
        let folded = String(Character(scalar)).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        if folded.count == 1, let c = folded.first, c.isWhitespace || c == "-" { return .separator }
        if folded.isEmpty || folded.contains(where: { $0.isWhitespace || $0 == "-" }) { return .unknown }
        return .folded(Array(folded.utf8))
    }
}
