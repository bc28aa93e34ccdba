// MARK: - Output formats

import Foundation

/// The formats a release can be written in.
public enum ReleaseFormat: String, CaseIterable, Sendable {
    case table, csv, json, hxl
}

extension Release {
    /// The release in `format`, ending with a newline; with its place in the ledger when given.
    public func rendered(as format: ReleaseFormat, position: LedgerPosition? = nil) -> String {
        switch format {
        case .table: return renderTable(position: position)
        case .csv: return renderCSV(hxl: false, position: position)
        case .json: return renderJSON(position: position)
        case .hxl: return renderCSV(hxl: true, position: position)
        }
    }

    // MARK: - JSON

    /// The JSON document of docs/cli.md: `release` metadata, `headline`, `dimensions`, `cells`,
    /// `total`, plus `margins` for two-way tables. Keys sorted, so equal releases give equal bytes.
    public func renderJSON(position: LedgerPosition? = nil) -> String {
        var meta: [String: JSONValue] = [
            "id": .string(id), "period": .string(period.description), "method": .string(method),
            "k": .int(k), "round": .int(roundingBase),
            "epsilon": epsilon.map { .decimal($0) } ?? .null,
            "budget_left": budgetLeft.map { .decimal($0) } ?? .null,
            "basis": .string(spec.basis.rawValue), "include_family": .bool(spec.includeFamily),
        ]
        meta["provisional"] = .bool(provisional ?? false)
        if let position {
            meta["ledger_seq"] = .int(position.sequence)
            meta["ledger_head"] = .string(position.hash)
        }
        if spec.mechanism == .threshold { meta["rounding_rule"] = .string("nearest multiple, halves up; shown counts are at least k") }
        func count(_ c: PublishedCount) -> JSONValue { c.number.map { .int($0) } ?? .string(c.description) }
        let cellValues: [JSONValue] = cells.map { cell in
            var object: [String: JSONValue] = ["count": count(cell.count)]
            for (d, category) in zip(dimensions, cell.categories) { object[d.rawValue] = .string(category) }
            if let f = cell.family { object["family"] = count(f) }
            return .object(object)
        }
        var total: [String: JSONValue] = ["count": count(self.total)]
        if let f = familyTotal { total["family"] = count(f) }
        var document: [String: JSONValue] = [
            "release": .object(meta), "headline": .string(headline),
            "dimensions": .array(dimensions.map { .string($0.rawValue) }),
            "cells": .array(cellValues), "total": .object(total),
        ]
        if !margins.isEmpty {
            document["margins"] = .array(
                margins.map { m in
                    var object: [String: JSONValue] = [
                        "dimension": .string(m.dimension.rawValue), m.dimension.rawValue: .string(m.category), "count": count(m.count),
                    ]
                    if let f = m.family { object["family"] = count(f) }
                    return .object(object)
                })
        }
        return JSONValue.object(document).serialized + "\n"
    }

    // MARK: - CSV and HXL

    /// One line per cell, then the row and column sums, then the total (`total` in the
    /// dimension columns it sums over). HXL adds a hashtag row under the header.
    ///
    /// A final comment line names the release, its ledger entry and chain hash (and says
    /// "provisional" when it is), where spreadsheet tools skip it.
    func renderCSV(hxl: Bool, position: LedgerPosition? = nil) -> String {
        var header = dimensions.map(\.rawValue) + ["count"]
        var tags = dimensions.map(Release.hxlTag) + ["#affected+num"]
        if spec.includeFamily {
            header.append("family")
            tags.append("#affected+num+family")
        }
        var lines = [header]
        if hxl { lines.append(tags) }
        func line(_ categories: [String], _ count: PublishedCount, _ family: PublishedCount?) -> [String] {
            var fields = categories + [count.description]
            if spec.includeFamily { fields.append(family?.description ?? "") }
            return fields
        }
        for cell in cells { lines.append(line(cell.categories, cell.count, cell.family)) }
        for m in margins {
            let categories = dimensions.map { $0 == m.dimension ? m.category : "total" }
            lines.append(line(categories, m.count, m.family))
        }
        if !cells.isEmpty || dimensions.isEmpty {
            lines.append(line(dimensions.map { _ in "total" }, total, familyTotal))
        }
        var text = lines.map { $0.map(Release.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
        if let position { text += "# " + ledgerNote(position) + "\n" }
        return text
    }

    static func hxlTag(_ dimension: TableDimension) -> String {
        switch dimension {
        case .year: return "#date+year"
        case .quarter: return "#date+quarter"
        case .segment: return "#group+segment"
        case .reason: return "#cause+reason"
        case .destination: return "#country+code+destination"
        case .outcome: return "#status+outcome"
        }
    }

    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - Terminal

    /// A plain-text table with the headline and the protection in force.
    func renderTable(position: LedgerPosition? = nil) -> String {
        var out = headline + "\n\n"
        var grid: [[String]] = []
        func text(_ c: PublishedCount, _ f: PublishedCount?) -> String {
            spec.includeFamily ? "\(c) (+\(f?.description ?? "–"))" : c.description
        }
        switch dimensions.count {
        case 0:
            grid = [["total"], [text(total, familyTotal)]]
        case 1:
            grid = [[dimensions[0].rawValue, "count"]]
            for cell in cells { grid.append([label(cell.categories[0], dimensions[0]), text(cell.count, cell.family)]) }
            grid.append(["total", text(total, familyTotal)])
        default:
            let rowLabels = margins.filter { $0.dimension == dimensions[0] }
            let columnLabels = margins.filter { $0.dimension == dimensions[1] }
            grid = [[dimensions[0].rawValue + " \\ " + dimensions[1].rawValue] + columnLabels.map { label($0.category, dimensions[1]) } + ["total"]]
            for (i, row) in rowLabels.enumerated() {
                let values = (0..<columnLabels.count).map { j in
                    let c = cells[i * columnLabels.count + j]
                    return text(c.count, c.family)
                }
                grid.append([label(row.category, dimensions[0])] + values + [text(row.count, row.family)])
            }
            grid.append(["total"] + columnLabels.map { text($0.count, $0.family) } + [text(total, familyTotal)])
        }
        let widths = (0..<(grid.first?.count ?? 0)).map { j in grid.map { $0[j].count }.max() ?? 0 }
        for row in grid {
            let padded = row.enumerated().map { j, s in
                j == 0 ? s + String(repeating: " ", count: widths[j] - s.count) : String(repeating: " ", count: widths[j] - s.count) + s
            }
            out += padded.joined(separator: "  ") + "\n"
        }
        out += "\n" + footnote() + "\n"
        if let position { out += ledgerNote(position) + "\n" }
        return out
    }

    private func label(_ category: String, _ dimension: TableDimension) -> String {
        dimension == .destination && category.count == 2 ? "\(category) \(CountryNames.name(for: category))" : category
    }

    /// "release 3fa…, 2021, ledger entry 4, chain hash 9c…": what lets a reader notice a reset ledger.
    func ledgerNote(_ position: LedgerPosition) -> String {
        "release \(id), \(period)\(provisional == true ? " (provisional)" : ""), ledger entry \(position.sequence), chain hash \(position.hash)"
    }

    private func footnote() -> String {
        var parts = [
            "Release \(id), \(period)\(provisional == true ? ", provisional: the period had not ended" : "").",
            "Counts under \(k) shown as <\(k); others rounded to the nearest \(roundingBase).",
        ]
        if cells.contains(where: { $0.count == .withheld }) || margins.contains(where: { $0.count == .withheld }) {
            parts.append("x: withheld so that small counts cannot be worked out.")
        }
        if let e = epsilon {
            parts.append("Differential privacy: ε = \(e), budget left \(budgetLeft?.description ?? "–").")
        }
        if spec.includeFamily { parts.append("Family members in brackets.") }
        return parts.joined(separator: " ")
    }
}

// MARK: - JSON writer

/// A minimal JSON value with sorted keys and exact decimals, so that a release's bytes are stable.
indirect enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case decimal(ExactRational)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    var serialized: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .decimal(let r): return r.decimalString ?? "\"\(r)\""
        case .string(let s): return JSONValue.quoted(s)
        case .array(let items): return "[" + items.map(\.serialized).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { JSONValue.quoted($0) + ":" + members[$0]!.serialized }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
