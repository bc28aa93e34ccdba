import Foundation
import GRDB
import Testing

@testable import CasesCore

@Suite struct CaseImporterTests {
    // MARK: - JSONL: bad input is reported row by row, and nothing is stored

    @Test func malformedJSONLineRejectsTheWholeFile() throws {
        let t = try TestVault()
        let f = ImportFixture()
        let path = f.file("cases.jsonl", lines: [caseLine(canary: "A"), #"{"principal": {"full_name": "B""#, caseLine(canary: "C")])
        let r = try t.rejectedImport(path, .jsonl)
        #expect(r.rejected == [.init(line: 2, reason: "not valid JSON (check brackets, quotes and commas)")])
        #expect(r.valid == 2)
        #expect(r.rows == 3)
    }

    @Test func unknownEnumValueNamesTheFieldNotTheValue() throws {
        let t = try TestVault()
        let f = ImportFixture()
        let path = f.file("cases.jsonl", lines: [caseLine { setPath(&$0, "principal.segment", "SPYMASTER") }])
        let r = try t.rejectedImport(path, .jsonl)
        #expect(r.rejected.map(\.line) == [1])
        let reason = try #require(r.rejected.first?.reason)
        #expect(reason.hasPrefix("principal.segment must be one of: journalist"))
        #expect(!reason.contains("SPYMASTER"))
    }

    @Test func futureDatesAndDatesBeforeBirthAreRejected() throws {
        let t = try TestVault()
        let f = ImportFixture()
        let path = f.file(
            "cases.jsonl",
            lines: [
                caseLine { setPath(&$0, "history.3.on", "2199-01-01") },
                caseLine {
                    setPath(&$0, "opened_on", "1980-01-01"); setPath(&$0, "principal.consent.given_on", "1980-01-01")
                },
                caseLine { setPath(&$0, "history.2.arrival.arrived_on", "2199-05-01") },
            ])
        let r = try t.rejectedImport(path, .jsonl)
        #expect(
            r.rejected == [
                .init(line: 1, reason: "history[3].on must be a date not in the future"),
                .init(line: 2, reason: "opened_on must be on or after the principal's birth"),
                .init(line: 3, reason: "history[2].arrival.arrived_on must be a date not in the future"),
            ])
    }

    @Test func historyOutOfOrderOrSkippingAStageIsRejected() throws {
        let t = try TestVault()
        let f = ImportFixture()
        let path = f.file(
            "cases.jsonl",
            lines: [
                caseLine { setPath(&$0, "history.1.on", "2021-03-05") },
                caseLine { o in
                    var h = o["history"] as! [Any]
                    h.remove(at: 1)
                    o["history"] = h
                },
                caseLine { o in o["opened_on"] = nil },
            ])
        let r = try t.rejectedImport(path, .jsonl)
        #expect(r.rejected.count == 3)
        #expect(r.rejected[0].reason.hasPrefix("history[1].on must be on or after the step before it"))
        #expect(r.rejected[1].reason == "Cannot move from risk_assessment to arrival: cases move one stage at a time; the next stage is destination")
        #expect(r.rejected[2].reason.hasPrefix("Missing opened_on"))
    }

    @Test func historyThatSkipsAGateIsRejected() throws {
        let t = try TestVault()
        let f = ImportFixture()
        let path = f.file(
            "cases.jsonl",
            lines: [
                caseLine { o in setPath(&o, "principal.consent", [String: Any]()) },
                caseLine { o in setPath(&o, "history.1.destination", ["country": "GE"]) },
                caseLine { o in
                    var h = o["history"] as! [Any]
                    h = [h[0], ["stage": "closed", "on": "2021-04-01", "outcome": "settled"]]
                    o["history"] = h
                },
            ])
        let r = try t.rejectedImport(path, .jsonl)
        #expect(
            r.rejected.map(\.reason) == [
                "The gate of intake does not hold: missing principal.consent.given_on, principal.consent.channel",
                "The gate of destination does not hold: missing destination.route",
                "Cannot move from risk_assessment to closed: a case is settled only after arrival; use another outcome or advance it first",
            ])
    }

    @Test func everyBadLineIsListedNotOnlyTheFirst() throws {
        let t = try TestVault()
        let f = ImportFixture()
        var lines: [String] = []
        for i in 0..<20 { lines.append(i % 4 == 3 ? "not json" : caseLine(canary: "p\(i)")) }
        lines.insert("", at: 5) // blank lines count for line numbers but are no row
        let r = try t.rejectedImport(f.file("cases.jsonl", lines: lines), .jsonl)
        #expect(r.rejected.map(\.line) == [4, 9, 13, 17, 21])
        #expect(r.rows == 20)
        #expect(r.valid == 15)
    }

    @Test func emptyFileIsRejected() throws {
        let t = try TestVault()
        let f = ImportFixture()
        for format in CaseImporter.Format.allCases {
            let r = try t.rejectedImport(f.file("empty.\(format)", Data()), format)
            #expect(r.rejected.count == 1)
            #expect(r.rejected[0].line == 1)
            #expect(r.rejected[0].reason.contains("empty"))
        }
        let r = try t.rejectedImport(f.file("blank.jsonl", Data("\n  \n\r\n".utf8)), .jsonl)
        #expect(r.rejected.map(\.reason) == ["the file holds no case: it is empty or only blank lines"])
    }

    @Test func fileOfFFBytesIsRejected() throws {
        let t = try TestVault()
        let f = ImportFixture()
        for format in CaseImporter.Format.allCases {
            let r = try t.rejectedImport(f.file("ff.\(format)", Data(repeating: 0xFF, count: 4096)), format)
            #expect(r.rejected.count == 1)
            #expect(r.rejected[0].reason.contains("UTF-8"))
        }
    }

    @Test func overLongJSONLineIsRejectedAndTheRestStillChecked() throws {
        let t = try TestVault()
        let f = ImportFixture()
        var bytes = Data((caseLine(canary: "A") + "\n").utf8)
        bytes.append(Data(repeating: UInt8(ascii: "x"), count: 2 << 20))
        bytes.append(Data(("\n" + caseLine(canary: "B") + "\n{bad\n").utf8))
        let r = try t.rejectedImport(f.file("long.jsonl", bytes), .jsonl)
        #expect(r.rejected.map(\.line) == [2, 4])
        #expect(r.rejected[0].reason.hasPrefix("longer than 1 MiB"))
        #expect(r.valid == 2)
    }

    /// Lines nested as deep as a line may be long are read on the import's own threads, and
    /// each is refused with a reason (Foundation's decoder stops at its depth limit) rather
    /// than exhausting a thread's stack.
    @Test func deeplyNestedLinesAreRejectedNotACrash() throws {
        let t = try TestVault()
        let f = ImportFixture()
        let depth = 400_000 // 800 KB of brackets: under the 1 MiB line limit
        let lines = [
            String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
            "{\"principal\":" + String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_001),
            caseLine(canary: "A"),
        ]
        let r = try t.rejectedImport(f.file("deep.jsonl", lines: lines), .jsonl)
        #expect(r.rejected.map(\.line) == [1, 2])
        #expect(r.valid == 1)
    }

    @Test func aRowKeyIsTheFirst64BitsOfTheDuplicateKey() throws {
        let t = try TestVault()
        for d in SyntheticCaseload(count: 200, seed: 12) {
            let key = try #require(t.caseload.duplicateKey(for: d.principal))
            #expect(ImportRowKeys.short(key) == Int64(bitPattern: try #require(UInt64(key.prefix(16), radix: 16))))
        }
        #expect(ImportRowKeys.short("FFFFFFFFFFFFFFFF00") == -1 && ImportRowKeys.short("0000000000000001") == 1)
    }

    @Test func unknownFileIsNotFound() throws {
        let t = try TestVault()
        #expect(throws: ImportError.fileNotFound("/nonexistent/cases.jsonl")) {
            try t.importer().importFile(atPath: "/nonexistent/cases.jsonl", format: .jsonl)
        }
        #expect(ImportError.fileNotFound("x").kind == .notFound)
    }

    // MARK: - Good imports

    @Test func thousandGeneratedCasesImportInOneTransaction() throws {
        let t = try TestVault()
        let f = ImportFixture()
        var bytes = Data()
        try SyntheticCaseload(count: 1000, seed: 2021).writeJSONL { bytes.append($0) }
        let path = f.file("demo.jsonl", bytes)
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date

        let report = try t.importer().importFile(atPath: path, format: .jsonl)
        #expect(report.imported == 1000)
        #expect(report.rejected.isEmpty)
        #expect(report.duplicates.isEmpty)

        let load = try t.reopen()
        let (cases, damaged) = try load.list()
        #expect(cases.count == 1000)
        #expect(damaged.isEmpty)
        let documents = Array(SyntheticCaseload(count: 1000, seed: 2021))
        let expected = Dictionary(grouping: documents.map { ($0.history?.last?.stage ?? .intake) }, by: { $0 }).mapValues(\.count)
        let stored = Dictionary(grouping: cases.map(\.stage), by: { $0 }).mapValues(\.count)
        #expect(stored == expected)
        for c in cases.prefix(25) { #expect(CaseSummary(try load.show(c.id)) == c) }
        #expect(try load.verifyAudit().ok)
        #expect(try load.verifyAudit().cases == 1000)
        // The source is only read.
        #expect(FileManager.default.contents(atPath: path) == bytes)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == modified)
    }

    /// Batches are read, sealed and written at once (see CaseImporter.run): a duplicate of a row
    /// several batches back is still found, and a bad row in a late batch still stores nothing.
    @Test func batchesInFlightKeepDuplicatesAndAllOrNothing() throws {
        let t = try TestVault()
        let f = ImportFixture()
        var bytes = Data()
        try SyntheticCaseload(count: 3 * Caseload.batchSize, seed: 77).writeJSONL { bytes.append($0) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        let withRepeat = lines + [lines[2]]
        let report = try t.importer().importFile(atPath: f.file("repeat.jsonl", lines: withRepeat), format: .jsonl)
        #expect(report.imported == lines.count)
        #expect(report.duplicates == [.init(line: lines.count + 1, existingCase: nil, earlierLine: 3, added: false)])
        #expect(try t.storedCounts().cases == lines.count)
        #expect(try t.caseload.verifyAudit().ok)

        let other = try TestVault()
        var late = try Array(SyntheticCaseload(count: 3 * Caseload.batchSize, seed: 78)).map {
            String(decoding: try RecordCoding.encoder.encode($0), as: UTF8.self)
        }
        late[late.count - 5] = caseLine { setPath(&$0, "principal.segment", "astronaut") }
        let r = try other.rejectedImport(f.file("late.jsonl", lines: late), .jsonl)
        #expect(r.rejected.map(\.line) == [late.count - 4])
        // The table of the file's duplicate keys lasts only as long as the import.
        for vault in [t, other] {
            let tables = try vault.unlocked.vault.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master") }
            #expect(!tables.contains("import_row_key"))
        }
    }

    /// A duplicate left out in the middle of the file: the batches sealed ahead of the writer
    /// are numbered from the cases kept, so the event log has no gap and the chain verifies.
    @Test func aDuplicateLeftOutMidFileKeepsTheEventLogWhole() throws {
        let t = try TestVault()
        let f = ImportFixture()
        let documents = Array(SyntheticCaseload(count: 3 * Caseload.batchSize, seed: 79))
        var lines = try documents.map { String(decoding: try RecordCoding.encoder.encode($0), as: UTF8.self) }
        lines.insert(lines[2], at: Caseload.batchSize + 10)
        let report = try t.importer().importFile(atPath: f.file("mid.jsonl", lines: lines), format: .jsonl)
        #expect(report.imported == documents.count)
        #expect(report.duplicates.map(\.line) == [Caseload.batchSize + 11])
        let events = documents.reduce(0) { $0 + 1 + ($1.history?.count ?? 0) }
        // One row of the log a case: its opening and its past as one group.
        #expect(try t.storedCounts() == (documents.count, documents.count))
        let seqs = try t.caseload.list().cases.flatMap { try t.caseload.history($0.id).map(\.seq) }
        #expect(seqs.sorted() == Array(1...Int64(events)))
        let audit = try t.caseload.verifyAudit()
        #expect(audit.ok && audit.events == events && audit.cases == documents.count)
    }

    // MARK: - The import's journal

    func journalMode(_ vault: Vault) throws -> String? {
        try vault.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    }

    /// The import's transaction runs with a rollback journal (each new page written once); the
    /// vault is in WAL mode again afterwards, stored or refused, and no journal is left behind.
    @Test func importLeavesTheVaultInWALModeWithNoJournal() throws {
        let t = try TestVault()
        let f = ImportFixture()
        #expect(try t.unlocked.vault.withRollbackJournal { try journalMode(t.unlocked.vault) } == "delete")
        #expect(try t.unlocked.vault.withRollbackJournal(if: false) { try journalMode(t.unlocked.vault) } == "wal")
        #expect(try journalMode(t.unlocked.vault) == "wal")
        _ = try t.importer().importFile(atPath: f.file("one.jsonl", lines: [caseLine()]), format: .jsonl)
        #expect(try journalMode(t.unlocked.vault) == "wal")
        #expect(!FileManager.default.fileExists(atPath: t.path + "-journal"))
        _ = try t.rejectedImport(f.file("bad.jsonl", lines: [caseLine(canary: "Q"), "{"]), .jsonl)
        #expect(try journalMode(t.unlocked.vault) == "wal")
        #expect(!FileManager.default.fileExists(atPath: t.path + "-journal"))
        #expect(try t.storedCounts().cases == 1)
        #expect(try t.caseload.verifyAudit().ok)
    }

    /// While the import's transaction runs without the WAL, the vault is this connection's
    /// alone: another `cases` started meanwhile is told the vault is busy (exit 75) instead of
    /// holding a read lock that would make the import fail; afterwards it reads as usual.
    @Test func withoutTheWALOtherConnectionsWaitUntilTheImportEnds() throws {
        let t = try TestVault()
        _ = try t.caseload.open(sampleDocument(canary: "Locked"))
        var config = Configuration()
        config.busyMode = .immediateError
        try t.unlocked.vault.withRollbackJournal {
            try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE unlock_policy SET failures = failures") }
            #expect(try journalMode(t.unlocked.vault) == "delete")
            #expect(throws: DatabaseError.self) {
                try DatabaseQueue(path: t.path, configuration: config).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot") }
            }
        }
        let other = try DatabaseQueue(path: t.path, configuration: config)
        #expect(try other.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot") } == 1)
        #expect(try journalMode(t.unlocked.vault) == "wal")
        #expect(try t.unlocked.vault.read { db in try String.fetchOne(db, sql: "PRAGMA locking_mode") } == "normal")
    }

    /// Another connection to the vault (another `cases` running) keeps it in WAL mode: the
    /// import does not fail for it, runs in the WAL, and the other connection sees the cases.
    @Test func importBesideAnotherOpenConnectionRunsInTheWAL() throws {
        let t = try TestVault()
        let other = try Vault.open(at: t.path)
        #expect(try other.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot") } == 0)
        #expect(try t.unlocked.vault.withRollbackJournal { try journalMode(t.unlocked.vault) } == "wal")
        let f = ImportFixture()
        let report = try t.importer().importFile(atPath: f.file("two.jsonl", lines: [caseLine(canary: "A"), caseLine(canary: "B")]), format: .jsonl)
        #expect(report.imported == 2)
        #expect(try other.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot") } == 2)
        #expect(try journalMode(other) == "wal")
    }

    /// A vault left in rollback mode (an import killed before it switched back) is in WAL mode
    /// again from the next open, with every case.
    @Test func aVaultLeftInRollbackModeOpensInWALMode() throws {
        let t = try TestVault()
        _ = try t.caseload.open(sampleDocument(canary: "Left"))
        try t.unlocked.vault.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        #expect(try journalMode(t.unlocked.vault) == "delete")
        let reopened = try t.reopen()
        #expect(try journalMode(reopened.vault.vault) == "wal")
        #expect(try reopened.list().cases.count == 1)
        #expect(try reopened.verifyAudit().ok)
    }

    @Test func importedHistoryBecomesDatedEvents() throws {
        let t = try TestVault()
        let f = ImportFixture()
        _ = try t.importer().importFile(atPath: f.file("one.jsonl", lines: [caseLine()]), format: .jsonl)
        let c = try #require(try t.caseload.allCases().first)
        #expect(c.stage == .closed)
        #expect(c.outcome == .settled)
        #expect(c.openedOn == ISODate("2021-03-02"))
        #expect(c.arrival?.city == "Tbilisi")
        let events = try t.caseload.history(c.id).map(\.event)
        #expect(events.map(\.kind) == [.opened, .advanced, .advanced, .advanced, .closed])
        #expect(events.map(\.on) == ["2021-03-02", "2021-03-10", "2021-04-02", "2021-06-01", "2021-09-01"].map(ISODate.init))
    }

    @Test func dryRunStoresNothingAndReportsTheSame() throws {
        let t = try TestVault()
        let f = ImportFixture()
        var bytes = Data()
        try SyntheticCaseload(count: 50, seed: 9).writeJSONL { bytes.append($0) }
        let path = f.file("demo.jsonl", bytes)
        let dry = try t.importer(dryRun: true).importFile(atPath: path, format: .jsonl)
        #expect(dry.dryRun)
        #expect(dry.imported == 0)
        #expect(dry.valid == 50)
        #expect(try t.storedCounts().cases == 0)
        #expect(try t.storedCounts().events == 0)
        let real = try t.importer().importFile(atPath: path, format: .jsonl)
        #expect(real.valid == dry.valid)
        #expect(real.imported == 50)
        // A dry run with a bad row is refused the same way.
        let bad = f.file("bad.jsonl", lines: [caseLine(canary: "Z"), "[]"])
        let r = try t.rejectedImport(bad, .jsonl, dryRun: true)
        #expect(r.dryRun)
        #expect(r.rejected.map(\.line) == [2])
    }

    @Test func duplicatesAreFlaggedAndLeftOutUnlessAllowed() throws {
        let t = try TestVault()
        let f = ImportFixture()
        let existing = try t.caseload.open(sampleDocument(canary: "Sidorov"))
        // Same name up to case and spacing, same birth year: a probable duplicate.
        let again = caseLine(canary: "Sidorov") { setPath(&$0, "principal.full_name", "pyotr   SIDOROV") }
        let path = f.file("dups.jsonl", lines: [again, caseLine(canary: "Kim"), caseLine(canary: "Kim"), caseLine(canary: "Lee")])

        let r = try t.importer().importFile(atPath: path, format: .jsonl)
        #expect(r.imported == 2)
        #expect(
            r.duplicates == [
                .init(line: 1, existingCase: existing.description, earlierLine: nil, added: false),
                .init(line: 3, existingCase: nil, earlierLine: 2, added: false),
            ])
        #expect(r.summary.contains("2 probable duplicate(s) left out"))
        #expect(try t.caseload.list().cases.count == 3)

        let allowed = try t.importer(allowDuplicates: true).importFile(atPath: path, format: .jsonl)
        #expect(allowed.imported == 4)
        #expect(allowed.duplicates.count == 4)
        #expect(allowed.duplicates.allSatisfy { $0.added })
        #expect(try t.caseload.list().cases.count == 7)
        #expect(try t.caseload.verifyAudit().ok)
    }

    // MARK: - Nothing in plaintext

    @Test func canaryReachesNoVaultFileAndNoReport() throws {
        let canary = "CANARYq8z1"
        let t = try TestVault()
        let f = ImportFixture()
        let good = caseLine(canary: canary) { o in
            setPath(&o, "caseworker", "cw \(canary)")
            setPath(&o, "history.0.assessment.vulnerabilities", "v \(canary)")
            setPath(&o, "history.0.assessment.urgency", "u \(canary)")
            setPath(&o, "history.1.destination.funding", "f \(canary)")
            setPath(&o, "history.2.arrival.city", "c \(canary)")
            setPath(&o, "history.2.arrival.legal_status", "s \(canary)")
            setPath(&o, "history.3.reason", "r \(canary)")
        }
        let path = f.file("canary.jsonl", lines: [good])
        let report = try t.importer().importFile(atPath: path, format: .jsonl)
        #expect(report.imported == 1)
        #expect(try t.caseload.allCases().first?.arrival?.city == "c \(canary)")
        let csv = f.file("canary.csv", Data(CSVImportTests.canaryCSV(canary).utf8))
        #expect(try t.importer().importFile(atPath: csv, format: .csv).imported == 1)
        for file in t.folder.allFiles() { #expect(!fileContains(file, canary), "\(file) holds the canary") }

        // Refused rows whose values are the canary: no reason repeats it.
        let bad = f.file(
            "bad.jsonl",
            lines: [
                caseLine(canary: canary) { setPath(&$0, "principal.segment", canary) },
                caseLine(canary: canary) { setPath(&$0, "principal.citizenship", canary) },
                caseLine(canary: canary) { setPath(&$0, "opened_on", canary) },
                caseLine(canary: canary) { setPath(&$0, "principal.birth_year", canary) },
                caseLine(canary: canary) { setPath(&$0, "history.0.stage", canary) },
                canary,
                "{\"\(canary)\": 1}",
            ])
        do {
            _ = try t.importer().importFile(atPath: bad, format: .jsonl)
            Issue.record("accepted")
        } catch let e as ImportError {
            guard case .rejected(let r) = e else { throw e }
            #expect(r.rejectedCount == 7)
            #expect(!e.description.contains(canary))
            #expect(!r.summary.contains(canary))
            for x in r.rejected { #expect(!x.reason.contains(canary), "line \(x.line): \(x.reason)") }
            let json = try JSONEncoder().encode(r)
            #expect(!String(decoding: json, as: UTF8.self).contains(canary))
        }
        for file in t.folder.allFiles() { #expect(!fileContains(file, canary), "\(file) holds the canary") }
    }
}
