import Foundation
import GRDB
import Testing

@testable import CasesCore

/// An import file in its own temp folder (apart from the vault's, so a canary search of the
/// vault folder does not find the plaintext source).
struct ImportFixture {
    let folder = TempFolder()

    func file(_ name: String, _ bytes: Data) -> String {
        let path = folder.path + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: bytes)
        return path
    }

    func file(_ name: String, lines: [String]) -> String {
        file(name, Data(lines.map { $0 + "\n" }.joined().utf8))
    }
}

extension TestVault {
    func importer(dryRun: Bool = false, allowDuplicates: Bool = false) -> CaseImporter {
        CaseImporter(caseload: caseload, options: .init(dryRun: dryRun, allowDuplicates: allowDuplicates))
    }

    /// Rows in the vault's tables: cases and events.
    func storedCounts() throws -> (cases: Int, events: Int) {
        try unlocked.vault.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot") ?? -1,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? -1
            )
        }
    }

    /// Runs an import that must be refused; checks the error's kind and that nothing was stored,
    /// and returns the report.
    func rejectedImport(
        _ path: String, _ format: CaseImporter.Format, dryRun: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ImportReport {
        let before = try storedCounts()
        do {
            let report = try importer(dryRun: dryRun).importFile(atPath: path, format: format)
            Issue.record("import was accepted: \(report.summary)", sourceLocation: sourceLocation)
            return report
        } catch let error as ImportError {
            guard case .rejected(let report) = error else {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
                throw error
            }
            #expect(error.kind == .invalidInput, sourceLocation: sourceLocation)
            #expect(error.description.contains("nothing was stored"), sourceLocation: sourceLocation)
            #expect(report.imported == 0, sourceLocation: sourceLocation)
            #expect(!report.rejected.isEmpty, sourceLocation: sourceLocation)
            let after = try storedCounts()
            #expect(after.cases == before.cases && after.events == before.events, "something was stored", sourceLocation: sourceLocation)
            return report
        }
    }
}

/// A complete case with its past, as one JSONL line; `mutate` edits the JSON object first.
func caseLine(canary: String = "Ivanov", _ mutate: (inout [String: Any]) -> Void = { _ in }) -> String {
    var doc = sampleDocument(canary: canary)
    doc.openedOn = ISODate("2021-03-02")
    doc.history = [
        HistoryStep(stage: .riskAssessment, on: ISODate("2021-03-10")!, assessment: RiskAssessment(level: .high, likelihood: 4, impact: 5)),
        HistoryStep(stage: .destination, on: ISODate("2021-04-02")!, destination: DestinationPlan(country: CountryCode("GE"), route: .visaFree)),
        HistoryStep(
            stage: .arrival, on: ISODate("2021-06-01")!,
            arrival: Arrival(arrivedOn: ISODate("2021-06-01"), country: CountryCode("GE"), city: "Tbilisi")),
        HistoryStep(stage: .closed, on: ISODate("2021-09-01")!, outcome: .settled),
    ]
    let data = try! RecordCoding.encoder.encode(doc)
    var object = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    mutate(&object)
    return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// Sets a value at a dotted path in nested JSON objects and arrays ("history.1.on").
func setPath(_ object: inout [String: Any], _ path: String, _ value: Any) {
    func set(_ node: Any, _ keys: ArraySlice<Substring>) -> Any {
        guard let key = keys.first else { return value }
        if var array = node as? [Any], let i = Int(key) {
            array[i] = set(array[i], keys.dropFirst())
            return array
        }
        var dict = node as? [String: Any] ?? [:]
        dict[String(key)] = set(dict[String(key)] ?? [String: Any](), keys.dropFirst())
        return dict
    }
    object = set(object, path.split(separator: ".")[...]) as! [String: Any]
}
