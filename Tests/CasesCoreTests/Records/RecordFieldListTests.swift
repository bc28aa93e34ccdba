import Foundation
import Testing

@testable import CasesCore

/// Each record's fields are written out once per encoding: `Codable`, ``BinaryRecord``, the
/// summary, the fast import reader and the CSV layout. A record with every stored property
/// filled (``FillingDecoder``, checked by `Mirror`) must come back whole through each, so a
/// field added to a type and forgotten in one encoding fails here, naming the encoding.
@Suite struct RecordFieldListTests {
    static func filled<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try FillingDecoder.fill(T.self)
        let missing = FilledRecord.unfilled(value)
        #expect(missing.isEmpty, "\(T.self): not filled, so not covered by this test: \(missing)")
        return value
    }

    static func json<T: Codable & Equatable>(_ value: T) throws -> T {
        try RecordCoding.decoder.decode(T.self, from: RecordCoding.encoder.encode(value))
    }

    static func binary<T: BinaryRecord & Equatable>(_ value: T) throws -> T {
        try value.binaryEncoded().withUnsafeBufferPointer { try T(binary: $0) }
    }

    @Test func aCaseRecordComesBackWholeThroughJSONAndItsBinaryForm() throws {
        let c = try Self.filled(CaseFile.self)
        #expect(try Self.json(c) == c, "Codable")
        #expect(try Self.binary(c) == c, "BinaryRecord")
    }

    @Test func anEventComesBackWholeThroughJSONAndItsBinaryForms() throws {
        let e = try Self.filled(CaseEvent.self)
        #expect(try Self.json(e) == e, "Codable")
        #expect(try Self.binary(e) == e, "BinaryRecord")
        let group = EventGroup(events: [e, try Self.filled(CaseEvent.self)])
        #expect(try Self.binary(group) == group, "EventGroup")
    }

    @Test func aVaultEventComesBackWholeThroughJSONAndItsBinaryForm() throws {
        let e = try Self.filled(VaultEvent.self)
        #expect(try Self.json(e) == e, "Codable")
        #expect(try Self.binary(e) == e, "BinaryRecord")
    }

    /// Every field of the summary is taken from a filled case, and comes back through its own
    /// binary form.
    @Test func aSummaryOfAFilledCaseHasEveryFieldAndComesBackWhole() throws {
        let summary = CaseSummary(try Self.filled(CaseFile.self))
        let missing = FilledRecord.unfilled(summary)
        #expect(missing.isEmpty, "CaseSummary(_:) leaves \(missing) empty")
        #expect(try CaseSummary(decoding: summary.encoded()) == summary, "summary encoding")
    }

    /// An import line: `JSONDecoder` and the fast reader must both read every field.
    @Test func anImportDocumentComesBackWholeThroughJSONAndTheFastReader() throws {
        let d = try Self.filled(OpenDocument.self)
        let line = try RecordCoding.encoder.encode(d)
        #expect(try RecordCoding.decoder.decode(OpenDocument.self, from: line) == d, "Codable")
        let fast = Array(line).withUnsafeBufferPointer { FastDocumentReader.decode($0) }
        #expect(fast != nil, "the fast reader stepped aside: a field it does not read?")
        #expect(fast == d, "FastDocumentReader")
    }

    /// A spreadsheet row carries the principal and the family, one column a field (contact
    /// fields by their own names, consent's prefixed `consent_`, family members' `familyN_`):
    /// every field of those types must have a column and come back through the layout.
    @Test func thePrincipalAndFamilyComeBackWholeThroughTheCSVLayout() throws {
        var d = try Self.filled(OpenDocument.self)
        d.history = nil
        d.openedOn = nil
        var cells: [(String, String)] = []
        func add(_ object: [String: Any], prefix: String) {
            for (key, v) in object.sorted(by: { $0.key < $1.key }) {
                switch v {
                case let nested as [String: Any]: add(nested, prefix: key == "consent" ? "consent_" : prefix)
                case let list as [String]: cells.append((prefix + key, list.joined(separator: "; ")))
                default: cells.append((prefix + key, "\(v)"))
                }
            }
        }
        func object<T: Encodable>(_ value: T) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: RecordCoding.encoder.encode(value)) as? [String: Any] ?? [:]
        }
        add(try object(d.principal), prefix: "")
        for (i, member) in (d.family ?? []).enumerated() { add(try object(member), prefix: "family\(i + 1)_") }
        cells.append(("caseworker", d.caseworker ?? ""))
        cells.append(("notes", d.notes ?? ""))

        let layout = try CSVCaseLayout(header: cells.map(\.0))
        #expect(try layout.document(cells.map(\.1)) == d, "CSVCaseLayout")
    }
}
