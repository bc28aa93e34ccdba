/// The one sentence a press officer can quote, built only from numbers the release publishes
/// (after every suppression, family numbers included).
///
/// Example: "About 1,600 people relocated in 2021, excluding family members; most went to
/// Georgia, Lithuania and Ukraine."
public enum Headline {
    public static func sentence(for release: Release) -> String {
        let spec = release.spec
        let verb = spec.basis == .arrival ? "relocated" : "asked for help"
        let when = periodPhrase(spec.period)
        var text: String
        switch release.total {
        case .value(let n): text = "About \(grouped(approximate(n))) people \(verb) \(when)"
        case .belowThreshold: text = "Fewer than \(spec.k) people \(verb) \(when)"
        case .withheld: return "How many people \(verb) \(when) is withheld, so that small groups cannot be worked out."
        }
        // Only what the release itself shows: a family total beside a hidden principal total
        // is withheld too, so no sentence can pair "fewer than 10 people" with "10 family members".
        switch (spec.includeFamily, release.familyTotal) {
        case (true, .value(let f)?): text += ", plus about \(grouped(approximate(f))) family members"
        case (true, .belowThreshold?): text += ", plus fewer than \(spec.k) family members"
        case (true, _): text += release.total.number == nil ? "" : "; the number of family members is withheld"
        case (false, _): text += ", excluding family members"
        }
        let top = topDestinations(release)
        if !top.names.isEmpty, let total = release.total.number {
            let list = joined(top.names)
            if top.count * 2 > total {
                text += "; most went to \(list)"
            } else {
                text += top.names.count == 1 ? "; the most common destination was \(list)" : "; the most common destinations were \(list)"
            }
        }
        return text + "."
    }

    /// Up to three named destinations with shown counts, largest first, and their sum.
    static func topDestinations(_ release: Release) -> (names: [String], count: Int) {
        guard let d = release.dimensions.firstIndex(of: .destination) else { return ([], 0) }
        var shown: [(code: String, count: Int)] = []
        if release.dimensions.count == 1 {
            shown = release.cells.compactMap { c in c.count.number.map { (c.categories[d], $0) } }
        } else {
            shown = release.margins.filter { $0.dimension == .destination }.compactMap { m in m.count.number.map { (m.category, $0) } }
        }
        let named = shown.filter { $0.code.count == 2 && $0.code.allSatisfy(\.isUppercase) }
            .sorted { ($0.count, $1.code) > ($1.count, $0.code) }
            .prefix(3)
        return (named.map { CountryNames.name(for: $0.code) }, named.reduce(0) { $0 + $1.count })
    }

    /// "in 2021" or "in the second quarter of 2021".
    static func periodPhrase(_ period: Period) -> String {
        guard let q = period.quarter else { return "in \(period.year)" }
        return "in the \(["first", "second", "third", "fourth"][q - 1]) quarter of \(period.year)"
    }

    /// A round figure for prose: to 50 from 1,000, to 10 from 100, else as published.
    static func approximate(_ n: Int) -> Int {
        let step = n >= 1000 ? 50 : n >= 100 ? 10 : 1
        return (n + step / 2) / step * step
    }

    /// 1600 → "1,600".
    static func grouped(_ n: Int) -> String {
        var digits = Array(String(n))
        var out = ""
        while digits.count > 3 {
            out = "," + String(digits.suffix(3)) + out
            digits.removeLast(3)
        }
        return String(digits) + out
    }

    static func joined(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
