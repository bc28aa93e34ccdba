import Testing

@testable import CasesCore

/// What an adversary can conclude from a published release, computed independently of the
/// engine's own audit: line by line (each row, column and the margins against the total), with
/// the rounding of every shown number taken into account.
struct ReleaseAuditor {
    let release: Release

    var rule: PublicationRule { PublicationRule(k: release.k, base: release.roundingBase) }

    /// The values a reader knows a published number lies in.
    func known(_ c: PublishedCount) -> (lo: Int, hi: Int) {
        switch c {
        case .belowThreshold(let k): return (0, k - 1)
        case .withheld: return (release.k, Int.max / 4)
        case .value(let shown):
            // Brute force over the rounding rule: every true count that is shown as `shown`.
            let hits = (release.k...(shown + release.roundingBase)).filter { rule.publish($0) == .value(shown) }
            return (hits.first!, hits.last!)
        }
    }

    /// Lines: a sum and the parts it adds up. Row and column sums against their cells, and the
    /// total against the cells (one-way) or against each set of margins (two-way).
    var lines: [(sum: PublishedCount, parts: [PublishedCount])] {
        let dims = release.dimensions
        switch dims.count {
        case 0: return []
        case 1: return [(release.total, release.cells.map(\.count))]
        default:
            var result: [(PublishedCount, [PublishedCount])] = []
            let rows = release.margins.filter { $0.dimension == dims[0] }
            let columns = release.margins.filter { $0.dimension == dims[1] }
            for (i, row) in rows.enumerated() {
                result.append((row.count, (0..<columns.count).map { release.cells[i * columns.count + $0].count }))
            }
            for (j, column) in columns.enumerated() {
                result.append((column.count, (0..<rows.count).map { release.cells[$0 * columns.count + j].count }))
            }
            result.append((release.total, rows.map(\.count)))
            result.append((release.total, columns.map(\.count)))
            return result
        }
    }

    /// For each suppressed part (`<k`) of each line, the interval the line leaves it.
    func lineIntervals() -> [(lo: Int, hi: Int)] {
        var out: [(Int, Int)] = []
        for line in lines {
            let sum = known(line.sum)
            for (p, part) in line.parts.enumerated() where part == .belowThreshold(k: release.k) {
                let others = line.parts.enumerated().filter { $0.offset != p }.map { known($0.element) }
                let othersLo = others.reduce(0) { $0 + $1.lo }
                let othersHi = others.reduce(0) { min(Int.max / 4, $0 + $1.hi) }
                let lo = max(0, sum.lo - othersHi)
                let hi = min(release.k - 1, sum.hi - othersLo)
                out.append((lo, hi))
            }
        }
        return out
    }

    /// Every number the release shows.
    var allCounts: [PublishedCount] {
        release.cells.map(\.count) + release.margins.map(\.count) + [release.total]
            + release.cells.compactMap(\.family) + release.margins.compactMap(\.family) + [release.familyTotal].compactMap { $0 }
    }

    /// The checks every threshold release must pass.
    func expectSafe(trueCounts: [String: Int], sourceLocation: SourceLocation = #_sourceLocation) {
        let k = release.k
        for c in allCounts {
            switch c {
            case .value(let n):
                #expect(
                    n >= k && n % release.roundingBase == 0, "shown count \(n) is below k or not a multiple of the base",
                    sourceLocation: sourceLocation)
            case .belowThreshold(let shownK):
                #expect(shownK == k, sourceLocation: sourceLocation)
            case .withheld:
                break
            }
        }
        for interval in lineIntervals() {
            #expect(
                interval.hi - interval.lo + 1 >= k,
                "a suppressed cell is narrowed to \(interval.lo)…\(interval.hi) by its row or column", sourceLocation: sourceLocation)
        }
        // Truthful within rounding: every published number contains the true count.
        for cell in release.cells {
            let truth = trueCounts[cell.categories.joined(separator: "|"), default: 0]
            let range = known(cell.count)
            #expect(
                cell.count == .withheld || (range.lo...range.hi).contains(truth),
                "cell \(cell.categories) shows \(cell.count) for \(truth)", sourceLocation: sourceLocation)
        }
        let total = trueCounts.values.reduce(0, +)
        let range = known(release.total)
        #expect((range.lo...range.hi).contains(total), "total shows \(release.total) for \(total)", sourceLocation: sourceLocation)
    }

    /// True principal counts per published cell, found by mapping each record's raw categories
    /// onto the release's (possibly merged) categories.
    static func trueCounts(_ records: [StatisticsRecord], release: Release) -> [String: Int] {
        let counted = CountTable.records(records, in: release.spec)
        var labels: [[String]] = release.dimensions.indices.map { d in Array(Set(release.cells.map { $0.categories[d] })) }
        if labels.isEmpty { labels = [] }
        var out: [String: Int] = [:]
        for r in counted {
            let key = release.dimensions.enumerated().map { d, dim in
                let raw = CountTable.category(of: r, dim, basis: release.spec.basis)
                let options = labels[d]
                return options.first { $0 == raw }
                    ?? options.first { $0.split(separator: "+").map(String.init).contains(raw) }
                    ?? options.first { $0 == CategoryAxis.otherLabel }
                    ?? CategoryAxis.allLabel
            }.joined(separator: "|")
            out[key, default: 0] += 1
        }
        return out
    }
}
