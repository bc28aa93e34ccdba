/// ISO 3166-1 alpha-2 countries, accepted by code or by English name.
public enum Country {
    /// Names people use that ISO does not list as the common name.
    private static let extraAliases: [String: String] = [
        "russia": "RU", "turkey": "TR", "great britain": "GB", "england": "GB", "uk": "GB",
        "usa": "US", "america": "US", "czechia": "CZ", "moldova": "MD", "kyrgyzstan": "KG",
        "holland": "NL", "south korea": "KR", "north korea": "KP",
    ]

    private static let byKey: [String: String] = {
        var map: [String: String] = [:]
        for row in table {
            map[row.code.lowercased()] = row.code
            map[fold(row.name)] = row.code
            for alias in row.aliases { map[fold(alias)] = row.code }
        }
        for (k, v) in extraAliases { map[k] = v }
        return map
    }()

    private static let names: [String: String] = Dictionary(uniqueKeysWithValues: table.map { ($0.code, $0.name) })

    /// Folds case, surrounding spaces and inner runs of spaces, so " georgia " finds GE.
    private static func fold(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "_" }).joined(separator: " ")
    }

    /// The ISO code for a code or English name, or nil.
    public static func code(for input: String) -> String? {
        if names[input] != nil { return input } // already a code, as most input and every record is
        return byKey[fold(input)]
    }

    /// The English name of a code ("GE" → "Georgia"); the code itself if unknown.
    public static func name(of code: String) -> String {
        names[code] ?? code
    }

    /// Every code, sorted.
    public static var allCodes: [String] { table.map(\.code) }
}
