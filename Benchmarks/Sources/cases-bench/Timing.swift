import CasesCrypto
import Foundation

/// Wall-clock helpers shared by the subcommands.
enum Timing {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
    }

    /// The median wall time of `n` runs, so that one slow moment of a shared machine does not
    /// set the figure.
    static func median(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<n { times.append(try seconds(body)) }
        return times.sorted()[times.count / 2]
    }

    static func format(_ s: Double) -> String { s < 1 ? String(format: "%.1f ms", s * 1000) : String(format: "%.2f s", s) }

    /// The benchmarks' one passphrase, invented, as secret bytes.
    static func passphrase() throws -> SecretBytes {
        var b = Array("bench passphrase cobalt minnow 9".utf8)
        return try SecretBytes.consuming(&b)
    }

    /// A label padded to the column where figures start.
    static func label(_ text: String) -> String { text.padding(toLength: 38, withPad: " ", startingAt: 0) }
}
