// Measures cases against a plain-SQLite baseline in the same process, on the same documents,
// and prints ratios. Timings are medians of several runs; this is a benchmark, not a test.
import ArgumentParser

@main
struct CasesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases-bench",
        abstract: "Benchmarks of cases, in process, against plain SQLite and against their goals.",
        discussion: """
            Build and run from Benchmarks/ in release mode:
              swift run -c release cases-bench --cases 10000
            Benchmarks/compare.sh and Benchmarks/backup.sh call the subcommands.
            """,
        subcommands: [Baseline.self, Fill.self, List.self, Codec.self, Linked.self],
        defaultSubcommand: Baseline.self
    )
}
