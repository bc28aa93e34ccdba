import CasesTestSupport
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// Four processes of the real binary writing to one vault at once: every change acknowledged
/// with exit 0 is there exactly once, every refusal is a 75 (busy or conflict) with one sentence
/// and left nothing behind, and the audit chain verifies at the end.
@Suite(.tags(.slow)) struct RaceTests {
    /// One worker's record of what it was told.
    struct Worker {
        var opened: [(CaseID, String)] = []
        var notes: [(CaseID, String, acknowledged: Bool)] = []
        var advanced: [(CaseID, Stage)] = []
        var imports: [(String, acknowledged: Bool)] = []
        var refusals: [CLIHarness.Result] = []
        var failures: [String] = []
        var runs = 0
    }

    static func caseJSON(_ name: String) -> String {
        #"{"principal": {"full_name": "\#(name)", "birth_year": 1985, "segment": "journalist", "reason": "criminal_prosecution", "contact": {"signal": "s"}, "consent": {"given_on": "2021-03-02", "channel": "signal"}}}"#
    }

    static let advanceInput: [Stage: String] = [
        .intake: #"{"assessment": {"level": "high", "likelihood": 4, "impact": 5}}"#,
        .riskAssessment: #"{"destination": {"country": "GE", "route": "visa_free"}}"#,
        .destination: #"{"arrival": {"arrived_on": "2021-06-01", "country": "GE", "city": "Tbilisi"}}"#,
    ]

    @Test func fourWritersLoseNothingAcknowledged() throws {
        let processes = 4
        let each = longTests ? 100 : 25
        let cli = try CLIHarness()
        try cli.initVault()
        let shared = try (0..<2).map { i -> CaseID in
            let r = try cli.run(["open", "--input", "-"], stdin: Self.caseJSON("shared \(i)"))
            return try #require(CaseID(parsing: r.out.trimmingCharacters(in: .whitespacesAndNewlines)))
        }

        let results = Box<[Worker]>(Array(repeating: Worker(), count: processes))
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: processes) { w in
            var me = Worker()
            var own: [(CaseID, Stage)] = []
            for i in 0..<each {
                let tag = "w\(w)-\(i)"
                func run(_ args: [String], _ stdin: String) -> CLIHarness.Result? {
                    me.runs += 1
                    guard let r = try? cli.run(args, stdin: stdin) else { me.failures.append("\(tag): could not start"); return nil }
                    if r.code == 75 {
                        me.refusals.append(r)
                        if r.err.split(separator: "\n").count != 1 { me.failures.append("\(tag): 75 with \(r.err)") }
                    } else if r.code != 0 {
                        me.failures.append("\(tag) \(args[0]): exit \(r.code): \(r.err)")
                    }
                    return r
                }
                switch i % 5 {
                case 0:
                    if let r = run(["open", "--input", "-"], Self.caseJSON("open \(tag)")), r.code == 0,
                        let id = CaseID(parsing: r.out.trimmingCharacters(in: .whitespacesAndNewlines))
                    {
                        me.opened.append((id, "open \(tag)"))
                        own.append((id, .intake))
                    }
                case 1, 4:
                    let target = i % 5 == 1 ? shared[i % shared.count] : (own.last?.0 ?? shared[0])
                    if let r = run(["note", target.description, "--input", "-"], "note \(tag)"), r.code == 0 || r.code == 75 {
                        me.notes.append((target, "note \(tag)", r.code == 0))
                    }
                case 2:
                    guard let k = own.firstIndex(where: { $0.1 < .arrival }) else { continue }
                    let (id, stage) = own[k]
                    if let r = run(["advance", id.description, "--input", "-"], Self.advanceInput[stage]!), r.code == 0 {
                        own[k].1 = stage.next!
                        me.advanced.append((id, stage.next!))
                    }
                default:
                    let lines = (0..<2).map { Self.caseJSON("import \(tag) \($0)") }.joined(separator: "\n")
                    if let r = run(["import", "-", "--format", "jsonl"], lines), r.code == 0 || r.code == 75 {
                        me.imports.append(("import \(tag) ", r.code == 0))
                    }
                }
            }
            lock.lock()
            results.value[w] = me
            lock.unlock()
        }

        let look = try VaultInspector(cli).look()
        #expect(look.ok, "\(look.integrity) \(look.audit.firstBreak ?? "") \(look.damaged)")
        let names = look.cases.values.compactMap(\.principal.fullName)
        var acknowledged = 0
        for me in results.value {
            #expect(me.failures.isEmpty, "\(me.failures)")
            for (id, name) in me.opened {
                #expect(look.cases[id]?.principal.fullName == name, "acknowledged case \(id) lost")
                acknowledged += 1
            }
            for (id, text, ok) in me.notes {
                let count = look.cases[id]?.notes.filter { $0.text == text }.count ?? 0
                #expect(count == (ok ? 1 : 0), "note \(text) acknowledged \(ok) found \(count) times")
                if ok { acknowledged += 1 }
            }
            for (id, stage) in me.advanced {
                #expect((look.cases[id]?.stage ?? .intake) >= stage, "advance of \(id) to \(stage) lost")
                acknowledged += 1
            }
            for (prefix, ok) in me.imports {
                #expect(names.filter { $0.hasPrefix(prefix) }.count == (ok ? 2 : 0), "import \(prefix) acknowledged \(ok)")
                if ok { acknowledged += 1 }
            }
        }
        let runs = results.value.map(\.runs).reduce(0, +)
        let refused = results.value.map(\.refusals.count).reduce(0, +)
        print(
            "Races: \(processes) processes × \(each) operations: \(runs) commands, \(acknowledged) acknowledged changes all present, \(refused) refused with 75, \(look.events) events, audit \(look.audit.ok ? "holds" : "broken")"
        )
    }

    /// The one way to get a 75 from a single change: another writer holding the vault longer
    /// than the busy timeout (5 s). The command says so in one sentence and stores nothing.
    @Test func aWriterHeldPastTheTimeoutGets75AndStoresNothing() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let id = try cli.run(["open", "--input", "-"], stdin: Self.caseJSON("held")).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let queue = try DatabaseQueue(path: cli.vault)
        let r = try queue.inDatabase { db -> CLIHarness.Result in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try cli.run(["note", id, "--input", "-"], stdin: "while held")
        }
        try queue.close()
        #expect(r.code == 75, "\(r.code) \(r.err)")
        #expect(r.err.split(separator: "\n").count == 1 && r.err.contains("Another cases process is writing"), "\(r.err)")
        let look = try VaultInspector(cli).look()
        #expect(look.ok)
        #expect(look.cases.values.first?.notes.contains { $0.text == "while held" } == false)
    }
}
