/// English names for the destination countries that appear in releases.
public enum CountryNames {
    private static let names: [String: String] = [
        "GE": "Georgia", "LT": "Lithuania", "UA": "Ukraine", "AM": "Armenia", "TR": "Turkey",
        "KZ": "Kazakhstan", "RS": "Serbia", "DE": "Germany", "PL": "Poland", "LV": "Latvia",
        "EE": "Estonia", "FI": "Finland", "FR": "France", "NL": "the Netherlands", "CZ": "the Czech Republic",
        "IL": "Israel", "US": "the United States", "ME": "Montenegro", "KG": "Kyrgyzstan",
        "UZ": "Uzbekistan", "AE": "the United Arab Emirates",
    ]

    /// The English name of an ISO 3166-1 alpha-2 code as a press release writes it ("the
    /// Netherlands"), else ISO's common name, else the code itself.
    public static func name(for code: String) -> String {
        names[code.uppercased()] ?? Country.name(of: code.uppercased())
    }
}
