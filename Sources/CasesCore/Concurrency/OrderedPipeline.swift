import Foundation

/// Work started in order and done on other threads, its results taken back in the same order,
/// with at most `depth` results started and not yet taken: how `list` opens summaries while it
/// reads the next rows, and how an import reads, checks and seals ahead of the database.
///
/// The first error, in the order the work was started, is thrown by ``next()``. Once any work
/// fails, or the pipeline is released, work not yet begun is skipped: a failed read stops the
/// reading. Releasing the pipeline waits for the work already running, so nothing that work
/// touches (an import file, a source) is used after its owner returns.
///
/// Written here because neither Foundation nor Dispatch has a bounded, ordered pipeline that a
/// synchronous caller can drive: the caller is the database's thread, inside a transaction that
/// GRDB runs synchronously, so it cannot `await` a task group.
final class OrderedPipeline<Output: Sendable> {
    private let depth: Int
    private let queue: DispatchQueue
    private let state = State()

    /// - Parameters:
    ///   - depth: the most results started and not yet taken; bounds memory and the threads used.
    ///   - serial: runs one piece of work at a time, in order (for work that reads one source).
    init(depth: Int, serial: Bool = false) {
        self.depth = max(1, depth)
        queue = serial ? DispatchQueue(label: "cases.pipeline") : DispatchQueue(label: "cases.pipeline", attributes: .concurrent)
    }

    /// Whether `depth` results are started and not taken: take one before starting more.
    var isFull: Bool { state.withLock { $0.started - $0.taken >= depth } }

    /// Starts `work` on another thread. The pipeline must not be full (``isFull``).
    func start(_ work: @escaping @Sendable () throws -> Output) {
        let index = state.withLock { s in
            precondition(s.started - s.taken < depth, "more work started than the pipeline's depth")
            s.started += 1
            s.running += 1
            return s.started - 1
        }
        queue.async { [state] in
            let skip = state.withLock { $0.stopped }
            let slot: Slot = skip ? .skipped : .done(Result { try work() })
            state.withLock { s in
                if case .done(.failure(let error)) = slot, s.failure.map({ index < $0.index }) ?? true {
                    s.failure = (index, error)
                }
                if case .done(.failure) = slot { s.stopped = true }
                s.slots[index] = slot
                s.running -= 1
            }
        }
    }

    /// The oldest result not yet taken, once its work is done; nil when no work is pending.
    /// Throws the first error of the work started so far.
    func next() throws -> Output? {
        let slot: Slot? = state.withLock(
            waitingFor: { $0.taken == $0.started || $0.slots[$0.taken] != nil },
            { s in
                guard s.taken < s.started else { return nil }
                defer { s.taken += 1 }
                return s.slots.removeValue(forKey: s.taken)
            })
        switch slot {
        case nil: return nil
        case .done(let result)?: return try result.get()
        case .skipped?:
            // Skipped only after a failure, which is then recorded.
            throw state.withLock { $0.failure?.error } ?? CancellationError()
        }
    }

    deinit {
        state.withLock { $0.stopped = true }
        state.withLock(waitingFor: { $0.running == 0 }, { _ in })
    }

    /// Calls `produce` on this thread until it returns nil, `transform` on other threads (at
    /// most `depth` at once), and `consume` on this thread with each result in the order
    /// produced. Stops at the first error of any of them and throws it, after the work running
    /// has ended.
    static func map<Input: Sendable>(
        depth: Int, produce: () throws -> Input?, transform: @escaping @Sendable (Input) throws -> Output,
        consume: (Output) throws -> Void
    ) throws {
        let pipeline = OrderedPipeline(depth: depth)
        var produced = true
        while true {
            while produced && !pipeline.isFull {
                guard let input = try produce() else { produced = false; break }
                pipeline.start { try transform(input) }
            }
            guard let output = try pipeline.next() else { return }
            try consume(output)
        }
    }

    private enum Slot {
        case done(Result<Output, any Error>)
        case skipped
    }

    private struct Counts {
        var slots: [Int: Slot] = [:]
        var started = 0
        var taken = 0
        var running = 0
        var stopped = false
        var failure: (index: Int, error: any Error)?
    }

    /// The counts, behind one lock, shared with the work's threads (not the pipeline itself, so
    /// that releasing the pipeline can wait for them).
    private final class State: @unchecked Sendable { // every access to `counts` holds `condition`
        private let condition = NSCondition()
        private var counts = Counts()

        func withLock<R>(_ body: (inout Counts) -> R) -> R {
            condition.lock()
            defer {
                condition.broadcast()
                condition.unlock()
            }
            return body(&counts)
        }

        /// Runs `body` once `ready` holds.
        func withLock<R>(waitingFor ready: (Counts) -> Bool, _ body: (inout Counts) -> R) -> R {
            condition.lock()
            defer {
                condition.broadcast()
                condition.unlock()
            }
            while !ready(counts) { condition.wait() }
            return body(&counts)
        }
    }
}
