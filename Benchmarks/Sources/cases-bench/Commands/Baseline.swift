import ArgumentParser
import CasesCore
import CasesCrypto
import Foundation
import GRDB

/// `cases-bench [baseline] --cases N`: unlock per KDF profile, then the same caseload in a vault
/// and as JSON rows in plain SQLite, filtered, shown and counted.
struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Unlock, list, show and statistics on a new vault, against plain SQLite holding the same cases."
    )

    @Option(help: "How many synthetic cases.") var cases = 10_000
    @Option(help: "Runs per figure; the median is shown.") var runs = 5
    @Flag(help: "Skip the unlock timings (the sensitive profile alone takes seconds).") var skipUnlock = false

    func run() throws {
        let root = NSTemporaryDirectory() + "cases-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: root) }
        print("cases-bench: \(cases) cases, median of \(runs) runs, \(ProcessInfo.processInfo.activeProcessorCount) cores\n")

        // MARK: - Unlock per profile
        for profile in Argon2Parameters.Profile.allCases where !skipUnlock {
            let path = root + "/kdf-\(profile.rawValue)/vault.cases"
            _ = try Vault.create(at: path, passphrase: try Timing.passphrase(), profile: profile)
            let vault = try Vault.open(at: path)
            let t = try Timing.median(profile == .sensitive ? 1 : 3) { _ = try vault.unlock(passphrase: try Timing.passphrase()) }
            print(Timing.label("unlock (\(profile.rawValue))") + Timing.format(t))
        }

        // MARK: - Fill
        // The repository's synthetic caseload: invented, realistic, deterministic for a seed.
        let docs = Array(SyntheticCaseload(count: cases, seed: 42))
        let path = root + "/vault/vault.cases"
        let (unlocked, _) = try Vault.create(at: path, passphrase: try Timing.passphrase(), profile: .interactive)
        let caseload = Caseload(vault: unlocked)
        var ids: [CaseID] = []
        let fill = try Timing.seconds { ids = try caseload.open(docs) }
        print(Timing.label("open \(cases) cases, one transaction") + Timing.format(fill))

        // Baseline: the same documents as JSON rows in plain SQLite, filtered by decoding every row.
        let plain = try DatabaseQueue(path: root + "/plain.sqlite")
        let encoder = JSONEncoder()
        try plain.write { db in
            try db.execute(sql: "CREATE TABLE doc (id TEXT PRIMARY KEY, json BLOB)")
            for id in ids {
                try db.execute(sql: "INSERT INTO doc VALUES (?, ?)", arguments: [id.description, try encoder.encode(try caseload.show(id))])
            }
        }

        // MARK: - Reads after unlock
        var listed = 0
        let tList = try Timing.median(runs) { listed = try caseload.list(CaseFilter(stage: .arrival)).cases.count }
        var baseListed = 0
        let decoder = JSONDecoder()
        let tBase = try Timing.median(runs) {
            baseListed = try plain.read { db in
                var n = 0
                let rows = try Row.fetchCursor(db, sql: "SELECT json FROM doc")
                while let r = try rows.next() {
                    let c = try decoder.decode(CaseFile.self, from: r["json"] as Data)
                    if c.stage == .arrival { n += 1 }
                }
                return n
            }
        }
        var statsTotal = ""
        let tStats = try Timing.median(runs) {
            let spec = try TableSpec(period: Period(year: 2021), dimensions: [.segment, .destination])
            statsTotal = try StatisticsEngine.computeRelease(of: try caseload.statisticsRecords(), spec: spec).headline
        }
        let probe = ids[ids.count / 2]
        let tShow = try Timing.median(runs * 4) { _ = try caseload.show(probe) }
        print(Timing.label("list --stage arrival") + Timing.format(tList) + "  (\(listed) shown)")
        print(Timing.label("  plain SQLite, same JSON, same filter") + Timing.format(tBase) + "  (\(baseListed) shown)")
        print(Timing.label("  ratio cases ÷ plain SQLite") + String(format: "%.2f", tList / tBase))
        print(Timing.label("show ID") + Timing.format(tShow))
        print(Timing.label("stats 2021 segment × destination") + Timing.format(tStats) + "  \(statsTotal)")
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        print(Timing.label("vault size") + "\((attrs[.size] as? Int ?? 0) / 1024) KiB")
    }
}
