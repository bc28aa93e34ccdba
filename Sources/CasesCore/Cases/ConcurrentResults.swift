/// One slot per index, each written by exactly one thread of a `concurrentPerform`, read
/// after it returns. A raw buffer, allocated once: `Array.withUnsafeMutableBufferPointer`
/// moves the array's storage out for the duration of the closure, so calling it from several
/// threads at once lets one thread find the array empty (a crash seen in the test suite).
final class ConcurrentResults<T>: @unchecked Sendable { // each slot has one writer, read after it returns
    private let slots: UnsafeMutablePointer<T?>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = UnsafeMutablePointer<T?>.allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    /// Moves slot `i`'s value out (leaving it empty), so the caller owns it alone and can
    /// change it without a copy.
    func take(_ i: Int) -> T? {
        precondition(i >= 0 && i < count)
        let value = (slots + i).move()
        (slots + i).initialize(to: nil)
        return value
    }

    /// Calls `body` with slot `i`'s value in place, without copying it.
    func withValue<R>(_ i: Int, _ body: (borrowing T?) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < count)
        return try body(slots[i])
    }

    subscript(i: Int) -> T? {
        get { precondition(i >= 0 && i < count); return slots[i] }
        set { precondition(i >= 0 && i < count); slots[i] = newValue }
    }
}
