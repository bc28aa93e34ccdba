// Measures cases against a plain-SQLite baseline in the same process, on the same documents,
// and prints ratios. Timings are medians of several runs; this is a benchmark, not a test.
import CasesCore
import CasesCrypto
import Foundation
import GRDB

func arg(_ name: String, _ fallback: Int) -> Int {
    let a = CommandLine.arguments
    if let i = a.firstIndex(of: name), i + 1 < a.count, let v = Int(a[i + 1]) { return v }
    return fallback
}

// `cases-bench fill --mib N --vault PATH --passphrase-file F`: a vault of at least N MiB of
// sealed cases (long notes), for the backup benchmark script.
if CommandLine.arguments.dropFirst().first == "fill" {
    let mib = arg("--mib", 1024)
    let a = CommandLine.arguments
    let vaultPath = a[a.firstIndex(of: "--vault")! + 1]
    let pass = try SecretInput.firstLine(ofFile: a[a.firstIndex(of: "--passphrase-file")! + 1])
    let vault: UnlockedVault = FileManager.default.fileExists(atPath: vaultPath)
        ? try Vault.open(at: vaultPath).unlock(passphrase: pass)
        : try Vault.create(at: vaultPath, passphrase: pass, profile: .interactive).0
    let load = Caseload(vault: vault)
    let note = String(repeating: "Invented filler text for a benchmark vault. ", count: 1400) // ~60 KiB
    var written = 0
    var batch = 0
    while true {
        let attrs = try FileManager.default.attributesOfItem(atPath: vaultPath)
        if (attrs[.size] as? Int ?? 0) >= mib << 20 { break }
        var docs: [OpenDocument] = []
        for i in 0..<500 {
            var d = OpenDocument(principal: Principal(fullName: "Filler \(batch) \(i)"))
            d.notes = note
            docs.append(d)
        }
        written += try load.open(docs).count
        batch += 1
    }
    print("filled \(vaultPath): \(written) cases")
    exit(0)
}

// `cases-bench list --vault PATH --passphrase-file F`: `list --stage arrival` and the
// statistics records on an existing vault, in process after one unlock (no process start, no
// printing), median of 5: what the CLI's figures are made of.
if CommandLine.arguments.dropFirst().first == "list" {
    let a = CommandLine.arguments
    let vaultPath = a[a.firstIndex(of: "--vault")! + 1]
    let pass = try SecretInput.firstLine(ofFile: a[a.firstIndex(of: "--passphrase-file")! + 1])
    var unlocked: UnlockedVault?
    let tUnlock = seconds { unlocked = try! Vault.open(at: vaultPath).unlock(passphrase: pass) }
    let load = Caseload(vault: unlocked!)
    var shown = 0
    let tList = try median(5) { shown = try load.list(CaseFilter(stage: .arrival)).cases.count }
    let tAll = try median(5) { _ = try load.list() }
    let tRecords = try median(5) { _ = try load.statisticsRecords() }
    print("unlock \(fmt(tUnlock)); list --stage arrival \(fmt(tList)) (\(shown)); list all \(fmt(tAll)); statistics records \(fmt(tRecords))")
    exit(0)
}

// `cases-bench codec`: per-record JSON costs, to see where time goes.
if CommandLine.arguments.dropFirst().first == "codec" {
    let path = NSTemporaryDirectory() + "cases-codec-" + UUID().uuidString + "/vault.cases"
    let (unlocked, _) = try Vault.create(at: path, passphrase: try secret("bench passphrase cobalt minnow 9"), profile: .interactive)
    let load = Caseload(vault: unlocked)
    let ids = try load.open(Array(SyntheticCaseload(count: 200, seed: 1)))
    let files = try ids.map { try load.show($0) }
    let snake = JSONEncoder(); snake.keyEncodingStrategy = .convertToSnakeCase
    let plain = JSONEncoder()
    let snakeD = JSONDecoder(); snakeD.keyDecodingStrategy = .convertFromSnakeCase
    let plainD = JSONDecoder()
    let snakeData = try files.map { try snake.encode($0) }
    let plainData = try files.map { try plain.encode($0) }
    let n = 20
    let t1 = seconds { for _ in 0..<n { for f in files { _ = try! snake.encode(f) } } }
    let t2 = seconds { for _ in 0..<n { for f in files { _ = try! plain.encode(f) } } }
    let t3 = seconds { for _ in 0..<n { for d in snakeData { _ = try! snakeD.decode(CaseFile.self, from: d) } } }
    let t4 = seconds { for _ in 0..<n { for d in plainData { _ = try! plainD.decode(CaseFile.self, from: d) } } }
    let per = { (t: Double) in String(format: "%.1f µs", t / Double(n * files.count) * 1e6) }
    print("encode snake \(per(t1))  plain \(per(t2))   decode snake \(per(t3))  plain \(per(t4))   bytes \(snakeData.map(\.count).reduce(0, +) / files.count)")
    exit(0)
}

let count = arg("--cases", 10_000)
let runs = arg("--runs", 5)
let root = NSTemporaryDirectory() + "cases-bench-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
defer { try? FileManager.default.removeItem(atPath: root) }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
}

func median(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<n { times.append(try seconds(body)) }
    return times.sorted()[times.count / 2]
}

func secret(_ s: String) throws -> SecretBytes {
    var b = Array(s.utf8)
    return try SecretBytes.consuming(&b)
}

func fmt(_ s: Double) -> String { s < 1 ? String(format: "%.1f ms", s * 1000) : String(format: "%.2f s", s) }

// The repository's synthetic caseload: invented, realistic, deterministic for a seed.
print("cases-bench: \(count) cases, median of \(runs) runs, \(ProcessInfo.processInfo.activeProcessorCount) cores\n")

// MARK: - Unlock per profile
for profile in Argon2Parameters.Profile.allCases where !CommandLine.arguments.contains("--skip-unlock") {
    let path = root + "/kdf-\(profile.rawValue)/vault.cases"
    _ = try Vault.create(at: path, passphrase: try secret("bench passphrase cobalt minnow 9"), profile: profile)
    let vault = try Vault.open(at: path)
    let t = try median(profile == .sensitive ? 1 : 3) { _ = try vault.unlock(passphrase: try secret("bench passphrase cobalt minnow 9")) }
    print("unlock (\(profile.rawValue))".padding(toLength: 38, withPad: " ", startingAt: 0) + fmt(t))
}

// MARK: - Fill
let docs = Array(SyntheticCaseload(count: count, seed: 42))
let path = root + "/vault/vault.cases"
let (unlocked, _) = try Vault.create(at: path, passphrase: try secret("bench passphrase cobalt minnow 9"), profile: .interactive)
let caseload = Caseload(vault: unlocked)
var ids: [CaseID] = []
let fill = try seconds { ids = try caseload.open(docs) }
print("open \(count) cases, one transaction".padding(toLength: 38, withPad: " ", startingAt: 0) + fmt(fill))

// Baseline: the same documents as JSON rows in plain SQLite, filtered by decoding every row.
let basePath = root + "/plain.sqlite"
let plain = try DatabaseQueue(path: basePath)
let encoder = JSONEncoder()
try plain.write { db in
    try db.execute(sql: "CREATE TABLE doc (id TEXT PRIMARY KEY, json BLOB)")
    for id in ids {
        try db.execute(sql: "INSERT INTO doc VALUES (?, ?)", arguments: [id.description, try encoder.encode(try caseload.show(id))])
    }
}

// MARK: - Reads after unlock
var listed = 0
let tList = try median(runs) { listed = try caseload.list(CaseFilter(stage: .arrival)).cases.count }
var baseListed = 0
let decoder = JSONDecoder()
let tBase = try median(runs) {
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
let tStats = try median(runs) {
    let spec = try TableSpec(period: Period(year: 2021), dimensions: [.segment, .destination])
    statsTotal = try StatisticsEngine.computeRelease(of: try caseload.statisticsRecords(), spec: spec).headline
}
let probe = ids[ids.count / 2]
let tShow = try median(runs * 4) { _ = try caseload.show(probe) }
print("list --stage arrival".padding(toLength: 38, withPad: " ", startingAt: 0) + fmt(tList) + "  (\(listed) shown)")
print("  plain SQLite, same JSON, same filter".padding(toLength: 38, withPad: " ", startingAt: 0) + fmt(tBase) + "  (\(baseListed) shown)")
print("  ratio cases ÷ plain SQLite".padding(toLength: 38, withPad: " ", startingAt: 0) + String(format: "%.2f", tList / tBase))
print("show ID".padding(toLength: 38, withPad: " ", startingAt: 0) + fmt(tShow))
print("stats 2021 segment × destination".padding(toLength: 38, withPad: " ", startingAt: 0) + fmt(tStats) + "  \(statsTotal)")
let attrs = try FileManager.default.attributesOfItem(atPath: path)
print("vault size".padding(toLength: 38, withPad: " ", startingAt: 0) + "\((attrs[.size] as? Int ?? 0) / 1024) KiB")
