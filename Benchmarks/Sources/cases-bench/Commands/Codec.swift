import ArgumentParser
import CasesCore
import Foundation

/// `cases-bench codec`: per-record JSON costs, to see where time goes.
struct Codec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time JSON encoding and decoding of 200 case files, snake_case against plain keys."
    )

    func run() throws {
        let path = NSTemporaryDirectory() + "cases-codec-" + UUID().uuidString + "/vault.cases"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let (unlocked, _) = try Vault.create(at: path, passphrase: try Timing.passphrase(), profile: .interactive)
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
        let t1 = try Timing.seconds { for _ in 0..<n { for f in files { _ = try snake.encode(f) } } }
        let t2 = try Timing.seconds { for _ in 0..<n { for f in files { _ = try plain.encode(f) } } }
        let t3 = try Timing.seconds { for _ in 0..<n { for d in snakeData { _ = try snakeD.decode(CaseFile.self, from: d) } } }
        let t4 = try Timing.seconds { for _ in 0..<n { for d in plainData { _ = try plainD.decode(CaseFile.self, from: d) } } }
        let per = { (t: Double) in String(format: "%.1f µs", t / Double(n * files.count) * 1e6) }
        print(
            "encode snake \(per(t1))  plain \(per(t2))   decode snake \(per(t3))  plain \(per(t4))   bytes \(snakeData.map(\.count).reduce(0, +) / files.count)"
        )
    }
}
