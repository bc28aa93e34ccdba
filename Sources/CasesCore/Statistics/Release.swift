import CasesCrypto

/// One cell of a released table.
public struct ReleaseCell: Hashable, Codable, Sendable {
    /// The cell's category along each of the release's dimensions, in order.
    public var categories: [String]
    public var count: PublishedCount
    /// Family members in the cell, when the release includes them and they could be shown safely.
    public var family: PublishedCount?

    public init(categories: [String], count: PublishedCount, family: PublishedCount? = nil) {
        self.categories = categories
        self.count = count
        self.family = family
    }
}

/// One row or column sum of a two-way release.
public struct ReleaseMargin: Hashable, Codable, Sendable {
    public var dimension: TableDimension
    public var category: String
    public var count: PublishedCount
    public var family: PublishedCount?

    public init(dimension: TableDimension, category: String, count: PublishedCount, family: PublishedCount? = nil) {
        self.dimension = dimension
        self.category = category
        self.count = count
        self.family = family
    }
}

/// A finished statistical release: everything that is published, and nothing else.
public struct Release: Hashable, Codable, Sendable {
    /// Random, so that release ids reveal neither how many releases exist nor their order.
    public var id: String
    public var spec: TableSpec
    /// The period's privacy budget left after this release (noisy releases only).
    public var budgetLeft: ExactRational?
    public var headline: String
    public var cells: [ReleaseCell]
    /// Row and column sums of a two-way table; empty otherwise (a one-way table's cells are its margins).
    public var margins: [ReleaseMargin]
    public var total: PublishedCount
    public var familyTotal: PublishedCount?
    /// true when published before its period ended (`--provisional`); absent otherwise, so
    /// releases made before the flag existed keep their bytes.
    public var provisional: Bool?

    public var period: Period { spec.period }
    public var dimensions: [TableDimension] { spec.dimensions }
    public var method: String { spec.mechanism.name }
    public var k: Int { spec.k }
    public var roundingBase: Int { spec.roundingBase }
    public var epsilon: ExactRational? { spec.mechanism.epsilon }

    public init(
        id: String, spec: TableSpec, budgetLeft: ExactRational?, headline: String, cells: [ReleaseCell],
        margins: [ReleaseMargin], total: PublishedCount, familyTotal: PublishedCount?
    ) {
        self.id = id
        self.spec = spec
        self.budgetLeft = budgetLeft
        self.headline = headline
        self.cells = cells
        self.margins = margins
        self.total = total
        self.familyTotal = familyTotal
    }

    /// A fresh random release id: 16 lower-case hexadecimal digits.
    static func newID() -> String {
        Random.bytes(8).map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
