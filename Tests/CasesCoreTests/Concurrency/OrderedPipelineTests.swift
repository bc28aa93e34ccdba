import Foundation
import Testing

@testable import CasesCore

/// Counts shared with the pipeline's work, behind a lock.
final class WorkLog: @unchecked Sendable { // every access holds `lock`
    private let lock = NSLock()
    private var running = 0
    private(set) var mostRunning = 0
    private(set) var begun: [Int] = []

    func begin(_ i: Int) {
        lock.withLock {
            running += 1; mostRunning = max(mostRunning, running); begun.append(i)
        }
    }
    func end() { lock.withLock { running -= 1 } }
    var begunSoFar: [Int] { lock.withLock { begun } }
    var runningNow: Int { lock.withLock { running } }
}

struct Failure: Error, Equatable { let index: Int }

/// A busy wait of a seeded random length, so that work finishes out of order.
func spin(_ micros: UInt64) {
    let end = DispatchTime.now().uptimeNanoseconds + micros * 1000
    while DispatchTime.now().uptimeNanoseconds < end {}
}

@Suite struct OrderedPipelineTests {
    @Test func resultsComeBackInTheOrderStartedAndNoMoreThanTheDepthAreHeld() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededRandom(seed: seed)
        let delays = (0..<200).map { _ in UInt64(random.next() % 2000) }
        let log = WorkLog()
        var produced = 0
        var taken: [Int] = []
        var mostHeld = 0
        try OrderedPipeline<Int>.map(depth: 3) { () -> Int? in
            guard produced < delays.count else { return nil }
            produced += 1
            mostHeld = max(mostHeld, produced - taken.count)
            return produced - 1
        } transform: { (i: Int) -> Int in
            log.begin(i)
            defer { log.end() }
            spin(delays[i])
            return i
        } consume: {
            taken.append($0)
        }
        #expect(taken == Array(0..<200), "seed \(seed)")
        #expect(mostHeld <= 3, "seed \(seed)")
        #expect(log.mostRunning <= 3, "seed \(seed)")
    }

    @Test func theFirstErrorInOrderIsThrownAndSerialWorkAfterItNeverBegins() throws {
        let log = WorkLog()
        let pipeline = OrderedPipeline<Int>(depth: 4, serial: true)
        for i in 0..<4 {
            pipeline.start {
                log.begin(i)
                defer { log.end() }
                if i == 1 { throw Failure(index: 1) }
                return i
            }
        }
        #expect(try pipeline.next() == 0)
        #expect(throws: Failure(index: 1)) { try pipeline.next() }
        #expect(throws: Failure(index: 1)) { try pipeline.next() }
        #expect(log.begunSoFar == [0, 1])
    }

    @Test func anEarlierErrorWinsOverALaterOneThatFinishedFirst() throws {
        let pipeline = OrderedPipeline<Int>(depth: 2)
        let gate = DispatchSemaphore(value: 0)
        pipeline.start {
            gate.wait(); throw Failure(index: 0)
        }
        pipeline.start {
            defer { gate.signal() }; throw Failure(index: 1)
        }
        #expect(throws: Failure(index: 0)) { try pipeline.next() }
    }

    @Test func aConsumerThatStopsEarlyDoesNotWaitForeverAndLeavesNothingRunning() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededRandom(seed: seed)
        let log = WorkLog()
        let delays = (0..<100).map { _ in UInt64(random.next() % 5000) }
        let finished = DispatchSemaphore(value: 0)
        let stopAt = Int(random.next() % 50)
        DispatchQueue.global().async {
            var produced = 0
            try? OrderedPipeline<Int>.map(depth: 4) { () -> Int? in
                produced += 1
                return produced <= delays.count ? produced - 1 : nil
            } transform: { (i: Int) -> Int in
                log.begin(i)
                defer { log.end() }
                spin(delays[i])
                return i
            } consume: { (i: Int) in
                if i == stopAt { throw Failure(index: i) }
            }
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 30) == .success, "the pipeline did not end (seed \(seed))")
        #expect(log.runningNow == 0, "work still running after the pipeline returned (seed \(seed))")
        #expect(log.begunSoFar.count <= stopAt + 1 + 4, "seed \(seed)")
    }
}
