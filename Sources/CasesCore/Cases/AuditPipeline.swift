import Foundation

/// How the audit keeps both cores busy: this thread (the database's) reads chunk after chunk
/// of rows, and while every core checks one chunk, it reads the next; it then takes the checked
/// chunk's results in order, so the break named is the first, exactly as a walk one row at a
/// time would find it. Two chunks at most are in memory.
enum AuditPipeline {
    /// Checks each chunk `read` gives (nil when there are no more) with `check`, called on
    /// every core with a stride of the chunk's indices, and hands each chunk and its results
    /// to `consume` in order. Returns the first break `consume` names, or nil. No thread is
    /// left at work when this returns or throws.
    static func run<Chunk: Sendable, Result>(
        read: () throws -> Chunk?,
        count: (Chunk) -> Int,
        check: @escaping @Sendable (Chunk, StrideTo<Int>, ConcurrentResults<Result>) -> Void,
        consume: (Chunk, ConcurrentResults<Result>) throws -> String?
    ) throws -> String? {
        func start(_ chunk: Chunk) -> Checking<Chunk, Result> {
            let n = count(chunk)
            let checking = Checking(chunk: chunk, results: ConcurrentResults<Result>(count: n))
            let runs = min(n, max(ProcessInfo.processInfo.activeProcessorCount, 1) * 2)
            let results = checking.results
            for run in 0..<runs {
                DispatchQueue.global().async(group: checking.group) { check(chunk, stride(from: run, to: n, by: runs), results) }
            }
            return checking
        }
        var inFlight = try read().map(start)
        defer { inFlight?.group.wait() }
        while let current = inFlight {
            let next = try read().map(start)
            current.group.wait()
            inFlight = next
            if let why = try consume(current.chunk, current.results) { return why }
        }
        return nil
    }
}

/// One chunk being checked on other threads: its results are complete once `group` is done.
private struct Checking<Chunk, Result> {
    let chunk: Chunk
    let results: ConcurrentResults<Result>
    let group = DispatchGroup()
}
