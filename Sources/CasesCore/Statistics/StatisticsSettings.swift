/// The vault's own rules for every release: the floors of k and rounding, and the destinations
/// named in tables.
///
/// Kept as entries of the release ledger, so the same hash chain (and the anchor outside the
/// vault) covers them: a floor lowered behind the coordinator's back would break the chain.
public struct StatisticsSettings: Hashable, Codable, Sendable {
    /// No release ever shows a cell standing for fewer people than this.
    public static let minimumK = 10
    /// No release ever rounds to a finer base than this.
    public static let minimumRoundingBase = 5

    /// The destinations shown by name, in this order, in every table; everyone else is `other`.
    ///
    /// The countries most organisations send people to from Russia and Belarus since 2020
    /// (visa-free or humanitarian routes): a fixed public list, so which rows a table has says
    /// nothing about who is in it. A longer list gives more `<10` cells, not more detail.
    public static let defaultDestinations = ["GE", "LT", "UA", "AM", "TR", "KZ", "RS", "DE", "PL", "LV", "EE", "IL"]

    /// The smallest k any release may use; never below ``minimumK``.
    public var kFloor: Int
    /// The smallest rounding base any release may use; never below ``minimumRoundingBase``.
    public var roundingFloor: Int
    /// ISO 3166-1 alpha-2 codes, upper case, in display order.
    public var destinations: [String]

    public static let standard = StatisticsSettings(kFloor: minimumK, roundingFloor: minimumRoundingBase, destinations: defaultDestinations)

    public init(kFloor: Int, roundingFloor: Int, destinations: [String]) {
        self.kFloor = kFloor
        self.roundingFloor = roundingFloor
        self.destinations = destinations
    }

    /// These settings changed as asked: floors may only go up, and the list must be a list of
    /// distinct country codes.
    public func changed(kFloor newK: Int?, roundingFloor newRound: Int?, destinations newList: [String]?) throws -> StatisticsSettings {
        var next = self
        if let newK {
            guard newK >= kFloor, newK <= 1000 else {
                throw StatisticsError.floorLowered("k", requested: newK, floor: kFloor)
            }
            next.kFloor = newK
        }
        if let newRound {
            guard newRound >= roundingFloor else {
                throw StatisticsError.floorLowered("rounding base", requested: newRound, floor: roundingFloor)
            }
            next.roundingFloor = newRound
        }
        guard next.roundingFloor <= next.kFloor else {
            throw StatisticsError.invalidSpec("the rounding floor (\(next.roundingFloor)) cannot be above the floor of k (\(next.kFloor)).")
        }
        if let newList {
            let codes = newList.map { $0.uppercased() }
            guard !codes.isEmpty, codes.count <= 40, Set(codes).count == codes.count,
                codes.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isLetter } })
            else {
                throw StatisticsError.invalidSpec("the destination list must be 1 to 40 different two-letter country codes, such as GE,LT,UA.")
            }
            next.destinations = codes
        }
        return next
    }

    /// Refuses a spec below the floors: a lower k or rounding base would let a release show
    /// smaller groups than every other release promises.
    public func check(_ spec: TableSpec) throws {
        guard spec.k >= kFloor else { throw StatisticsError.floorLowered("k", requested: spec.k, floor: kFloor) }
        guard spec.roundingBase >= roundingFloor else {
            throw StatisticsError.floorLowered("rounding base", requested: spec.roundingBase, floor: roundingFloor)
        }
    }

    /// The published category of a destination: itself when named, else `other` (a case with
    /// no destination yet is `unknown` when counted by intake, `other` by arrival).
    func destinationCategory(_ code: String?, basis: CountingBasis) -> String {
        guard let code else { return basis == .intake ? CountTable.unknownLabel : CategoryAxis.otherLabel }
        return destinations.contains(code.uppercased()) ? code.uppercased() : CategoryAxis.otherLabel
    }
}
