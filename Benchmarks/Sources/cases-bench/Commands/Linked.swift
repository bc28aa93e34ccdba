import ArgumentParser

/// `cases-bench linked --cases N`: the linked audit of statistics tables (LinkedBenchmark.swift).
struct Linked: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the linked audit of a new statistics table against 30 already published (goal: at most 2 s at 100,000 cases)."
    )

    @Option(help: "How many cases the published tables count.") var cases = 100_000

    func run() throws {
        try LinkedBenchmark.run(cases: cases)
    }
}
