import CasesTestSupport
import Foundation
import Testing

@testable import CasesCore

/// The real binary killed with SIGKILL at random moments while it opens, advances, notes and
/// imports: after every kill SQLite's integrity check passes, the audit chain verifies, and
/// every change whose command had exited 0 is there.
@Suite(.serialized, .tags(.slow)) struct CrashSafetyTests {
    enum Op: String, CaseIterable { case open, note, advance, importing = "import" }

    /// What the caseworker was told was stored (exit 0), to be found after every later crash.
    struct Acknowledged {
        var stage: [CaseID: Stage] = [:]
        var notes: [CaseID: Set<String>] = [:]
        var batches: [String] = []
    }

    struct Tally: CustomStringConvertible {
        var runs = 0, kills = 0, completed = 0, failed = 0, tornWAL = 0
        var landed: [Op: Int] = [:], lost: [Op: Int] = [:], killedBy: [Op: Int] = [:]
        var description: String {
            let perOp = Op.allCases.map {
                "\($0.rawValue) \(killedBy[$0, default: 0]) killed (\(landed[$0, default: 0]) had committed, \(lost[$0, default: 0]) had not)"
            }
            return
                "\(runs) runs, \(kills) SIGKILLs (\(tornWAL) of them mid-transaction, leaving uncommitted frames in the WAL), \(completed) exited 0 before the kill, \(failed) other exits; "
                + perOp.joined(separator: "; ")
        }
    }

    static func caseLine(_ name: String) -> String {
        #"{"principal": {"full_name": "\#(name)", "birth_year": 1985, "citizenship": "RU", "segment": "journalist", "reason": "criminal_prosecution", "contact": {"signal": "s"}, "consent": {"given_on": "2021-03-02", "channel": "signal"}}, "notes": "\#(name)"}"#
    }

    static func advanceInput(from stage: Stage) -> String {
        switch stage {
        case .intake: #"{"assessment": {"level": "high", "likelihood": 4, "impact": 5}}"#
        case .riskAssessment: #"{"destination": {"country": "GE", "route": "visa_free"}}"#
        default: #"{"arrival": {"arrived_on": "2021-06-01", "country": "GE", "city": "Tbilisi"}}"#
        }
    }

    @Test func sigkillAtRandomMomentsLosesNothingAcknowledgedAndCorruptsNothing() throws {
        let wantedKills = longTests ? 2000 : 200
        // Commands and kill moments come from a seeded generator: `CASES_TEST_SEED=N` replays them.
        let seed = TestSeed.value(for: "CrashSafety", default: 20_260_101)
        var random = SeededRandom(seed: seed)
        // A fresh vault every so many runs keeps each check (which replays the whole log) short.
        let runsPerVault = 150
        var tally = Tally()
        var round = 0
        while tally.kills < wantedKills {
            try runRound(round, runs: runsPerVault, stopAfterKills: wantedKills - tally.kills, tally: &tally, random: &random, seed: seed)
            round += 1
        }
        print("CrashSafety: \(tally) (seed \(seed))")
        #expect(tally.kills >= wantedKills, "seed \(seed)")
        #expect(tally.failed == 0, "seed \(seed)")
    }

    func runRound(_ round: Int, runs: Int, stopAfterKills: Int, tally: inout Tally, random: inout SeededRandom, seed: UInt64) throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let inspector = try VaultInspector(cli)
        var acked = Acknowledged()
        var durations: [Op: [Double]] = [:]
        var look = try inspector.look()
        var killsThisRound = 0

        for n in 0..<runs where killsThisRound < stopAfterKills {
            let warmingUp = n < 3 * Op.allCases.count
            let op = warmingUp ? Op.allCases[n % Op.allCases.count] : random.pick(Op.allCases)
            let tag = "r\(round)-\(n)"
            // In id order, so that the same seed picks the same case whatever the hash order.
            let cases = look.cases.values.sorted { $0.id.description < $1.id.description }
            let input = cli.folder + "/\(tag).input"
            var args: [String]
            var target: CaseID?
            var targetStage: Stage?
            let movable = cases.filter { $0.stage < .arrival }
            switch op {
            case .open:
                try Self.caseLine("open-\(tag)").write(toFile: input, atomically: false, encoding: .utf8)
                args = ["open", "--input", input]
            case .note:
                guard !cases.isEmpty else { continue }
                let c = random.pick(cases)
                target = c.id
                try "note-\(tag)".write(toFile: input, atomically: false, encoding: .utf8)
                args = ["note", c.id.description, "--input", input]
            case .advance:
                guard !movable.isEmpty else { continue }
                let c = random.pick(movable)
                target = c.id
                targetStage = c.stage.next
                try Self.advanceInput(from: c.stage).write(toFile: input, atomically: false, encoding: .utf8)
                args = ["advance", c.id.description, "--input", input]
            case .importing:
                let lines = (0..<3).map { Self.caseLine("imp-\(tag)-\($0)") }
                try lines.joined(separator: "\n").write(toFile: input, atomically: false, encoding: .utf8)
                args = ["import", input, "--format", "jsonl"]
            }

            let started = Date()
            let (child, out, err) = try cli.spawn(args, tag: tag)
            // Warm-up runs measure each command's real duration (the median of three); later runs
            // are killed at a random moment over that span, a little past it so some finish
            // first: half uniformly over all of it, half over its last 40%, where the command
            // writes (most of the span is process start and Argon2id).
            if !warmingUp {
                let sorted = durations[op, default: [0.2]].sorted()
                let span = sorted[sorted.count / 2]
                let from = random.chance(50) ? 0 : span * 0.6
                let fraction = Double(random.below(1_000_001)) / 1_000_000
                usleep(UInt32((from + fraction * (span * 1.05 - from)) * 1_000_000))
                child.kill()
            }
            let ending = child.wait()
            let elapsed = Date().timeIntervalSince(started)
            tally.runs += 1
            let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""

            switch ending {
            case .exited(0):
                if warmingUp { durations[op, default: []].append(elapsed) } else { tally.completed += 1 }
                switch op {
                case .open:
                    let id = try #require(CaseID(parsing: stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "open printed \(stdout)")
                    acked.stage[id] = .intake
                    acked.notes[id, default: []].insert("open-\(tag)")
                case .note: acked.notes[target!, default: []].insert("note-\(tag)")
                case .advance: acked.stage[target!] = targetStage!
                case .importing: acked.batches.append("imp-\(tag)-")
                }
            case .exited(let code):
                tally.failed += 1
                Issue.record("\(args[0]) exited \(code) without being killed (seed \(seed)): \(stderr)")
            case .signalled:
                tally.kills += 1
                killsThisRound += 1
                tally.killedBy[op, default: 0] += 1
            }

            if case .signalled = ending, Self.walEndsInsideATransaction(cli.vault + "-wal") { tally.tornWAL += 1 }
            look = try inspector.look()
            try check(look, acked, after: "\(tag) \(args[0]) \(ending), seed \(seed)")

            if case .signalled = ending {
                let names = look.cases.values.compactMap(\.principal.fullName)
                let landed: Bool
                switch op {
                case .open: landed = names.contains("open-\(tag)")
                case .note: landed = look.cases[target!]?.notes.contains { $0.text == "note-\(tag)" } == true
                case .advance: landed = look.cases[target!]?.stage == targetStage
                case .importing:
                    let count = names.filter { $0.hasPrefix("imp-\(tag)-") }.count
                    #expect(count == 0 || count == 3, "a killed import stored \(count) of 3 cases: not all or nothing (seed \(seed))")
                    landed = count == 3
                }
                if landed { tally.landed[op, default: 0] += 1 } else { tally.lost[op, default: 0] += 1 }
            }
            for f in [input, out, err] { unlink(f) }
        }
    }

    /// Whether the WAL's last frame of the current generation (salts matching the header) is not
    /// a commit frame: the writer was killed while writing a transaction, which SQLite must then
    /// ignore on recovery. Read before anyone opens the vault again.
    static func walEndsInsideATransaction(_ path: String) -> Bool {
        guard let wal = FileManager.default.contents(atPath: path), wal.count >= 32 else { return false }
        let bytes = [UInt8](wal)
        func u32(_ at: Int) -> UInt32 { bytes[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        let pageSize = Int(u32(8))
        guard pageSize >= 512 else { return false }
        let salts = (u32(16), u32(20))
        var offset = 32
        var lastCommit: UInt32?
        while offset + 24 + pageSize <= bytes.count, (u32(offset + 8), u32(offset + 12)) == salts {
            lastCommit = u32(offset + 4)
            offset += 24 + pageSize
        }
        // A frame cut short by the kill also counts: its header is there, its page is not.
        if offset + 24 <= bytes.count, offset + 24 + pageSize > bytes.count, (u32(offset + 8), u32(offset + 12)) == salts { return true }
        return lastCommit == 0
    }

    func check(_ look: VaultInspector.Look, _ acked: Acknowledged, after what: String) throws {
        #expect(look.integrity == ["ok"], "integrity_check after \(what): \(look.integrity)")
        #expect(look.audit.ok, "audit after \(what): \(look.audit.firstBreak ?? "")")
        #expect(look.damaged.isEmpty, "damaged cases after \(what): \(look.damaged)")
        for (id, stage) in acked.stage {
            guard let c = look.cases[id] else { Issue.record("acknowledged case \(id) lost after \(what)"); continue }
            #expect(c.stage >= stage, "case \(id) went back from \(stage) to \(c.stage) after \(what)")
        }
        for (id, texts) in acked.notes {
            let have = Set(look.cases[id]?.notes.map(\.text) ?? [])
            #expect(texts.isSubset(of: have), "acknowledged notes of \(id) lost after \(what): \(texts.subtracting(have))")
        }
        let names = look.cases.values.compactMap(\.principal.fullName)
        for batch in acked.batches {
            #expect(names.filter { $0.hasPrefix(batch) }.count == 3, "acknowledged import \(batch) incomplete after \(what)")
        }
        #expect(Set(names).count == names.count, "a case stored twice after \(what)")
        for c in look.cases.values {
            let texts = c.notes.map(\.text)
            #expect(Set(texts).count == texts.count, "a note stored twice in \(c.id) after \(what)")
        }
    }
}
