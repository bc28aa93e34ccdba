import CasesCrypto

/// What the statistics know of one quarter, sealed into the release ledger at the first release
/// that counts it, so that every later table of its year counts exactly the same people.
///
/// Without it, each new table (another breakdown, basis or family setting) would count today's
/// caseload, and subtracting it from an earlier table would expose whoever came in between.
/// Only publishable categories are kept, as numbers of principals per combination: no names, no
/// ids, no dates finer than the quarter, no order of arrival.
public struct FrozenQuarter: Hashable, Codable, Sendable {
    public let year: Int
    public let quarter: Int
    /// The destinations named in the year's tables when the year was first frozen.
    public let destinations: [String]
    /// Principals whose case was opened in the quarter.
    public let intake: [FrozenGroup]
    /// Principals who arrived in the quarter.
    public let arrival: [FrozenGroup]
    /// 32 random bytes in hex. Every release prints its entry's chain hash; without a secret in
    /// the hashed bytes, anyone could confirm a guess of a small quarter's numbers against it.
    public let salt: String

    /// The quarter frozen from `records` (the whole caseload), naming `destinations`.
    init(year: Int, quarter: Int, destinations: [String], records: [StatisticsRecord]) {
        self.year = year
        self.quarter = quarter
        self.destinations = destinations
        let list = StatisticsSettings(
            kFloor: StatisticsSettings.minimumK, roundingFloor: StatisticsSettings.minimumRoundingBase,
            destinations: destinations)
        func groups(_ basis: CountingBasis) -> [FrozenGroup] {
            var counts: [FrozenGroup.Key: Int] = [:]
            for r in records {
                let date = basis == .intake ? r.intakeOn : r.arrivedOn
                guard let date, date.year == year, date.quarter == quarter else { continue }
                let key = FrozenGroup.Key(
                    segment: r.segment, reason: r.reason,
                    destination: list.destinationCategory(r.destination, basis: basis),
                    outcome: r.outcome, family: r.familyMembers)
                counts[key, default: 0] += 1
            }
            // Sorted by category, so the stored bytes follow the data's content, never its order.
            return counts.map { FrozenGroup(key: $0.key, count: $0.value) }.sorted { $0.encoded < $1.encoded }
        }
        intake = groups(.intake)
        arrival = groups(.arrival)
        salt = Random.bytes(32).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// One record per frozen principal counted by `basis`, dated the quarter's first day: all
    /// the engine needs to place them in a year, a quarter and the other categories.
    func records(_ basis: CountingBasis) -> [StatisticsRecord] {
        let day = ISODate(year: year, month: (quarter - 1) * 3 + 1, day: 1)!
        return (basis == .intake ? intake : arrival).flatMap { g in
            repeatElement(
                StatisticsRecord(
                    intakeOn: day, arrivedOn: basis == .arrival ? day : nil, segment: g.key.segment,
                    reason: g.key.reason,
                    destination: g.key.destination == CountTable.unknownLabel ? nil : g.key.destination,
                    outcome: g.key.outcome,
                    familyMembers: g.key.family), count: g.count)
        }
    }
}

/// How many frozen principals share one combination of publishable categories.
public struct FrozenGroup: Hashable, Codable, Sendable {
    struct Key: Hashable, Sendable {
        var segment: Segment
        var reason: LeavingReason
        /// A named code, `other` or `unknown`.
        var destination: String
        var outcome: Outcome?
        var family: Int
    }

    let key: Key
    public let count: Int

    init(key: Key, count: Int) {
        self.key = key
        self.count = count
    }

    /// `segment reason destination outcome family count`, one line: a quarter of 20,000
    /// principals stays a few hundred short strings rather than 20,000 JSON objects.
    var encoded: String {
        [key.segment.rawValue, key.reason.rawValue, key.destination, key.outcome?.rawValue ?? "open", String(key.family), String(count)]
            .joined(separator: " ")
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let f = text.split(separator: " ").map(String.init)
        guard f.count == 6, let segment = Segment(rawValue: f[0]), let reason = LeavingReason(rawValue: f[1]),
            let family = Int(f[4]), let count = Int(f[5]), family >= 0, count > 0,
            f[3] == "open" || Outcome(rawValue: f[3]) != nil
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "A frozen group is malformed."))
        }
        key = Key(segment: segment, reason: reason, destination: f[2], outcome: Outcome(rawValue: f[3]), family: family)
        self.count = count
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(encoded)
    }
}
