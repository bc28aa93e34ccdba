import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// Where `cases shell` reads its lines: the line editor on a terminal, plain lines from a pipe.

enum LineEvent {
    case line(String)
    case eof
    /// No input for the idle time; carries what was typed so far.
    case idle(String)
}

protocol LineSource: AnyObject {
    var isInteractive: Bool { get }
    /// The next line. `idle`: seconds without input before returning `.idle` (nil: wait forever).
    func read(initial: String, idle: TimeInterval?, prompt: (Int?) -> String) -> LineEvent
    func remember(_ line: String)
    func forget()
}

func monotonicNow() -> TimeInterval {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return TimeInterval(ts.tv_sec) + TimeInterval(ts.tv_nsec) / 1e9
}

/// Waits for stdin to be readable until `deadline`; false on timeout.
func waitForInput(until deadline: TimeInterval?, atMost: TimeInterval? = nil) -> Bool {
    var timeout: Int32 = -1
    if let deadline {
        var left = max(0, deadline - monotonicNow())
        if let atMost { left = min(left, atMost) }
        timeout = Int32((left * 1000).rounded(.up))
    } else if let atMost {
        timeout = Int32((atMost * 1000).rounded(.up))
    }
    var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
    while true {
        let r = poll(&fds, 1, timeout)
        if r < 0 && errno == EINTR { continue }
        return r != 0
    }
}

/// Plain lines from a pipe or file, without echo or editing: how scripts and tests drive
/// the shell. Reads the descriptor itself (not stdio) so `poll` sees every unread byte.
final class PipeLineReader: LineSource {
    private var buffer: [UInt8] = []
    private var atEnd = false
    var isInteractive: Bool { false }

    func read(initial: String, idle: TimeInterval?, prompt: (Int?) -> String) -> LineEvent {
        let deadline = idle.map { monotonicNow() + $0 }
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return .line(line)
            }
            if atEnd {
                if buffer.isEmpty { return .eof }
                let line = String(decoding: buffer, as: UTF8.self)
                buffer.removeAll()
                return .line(line)
            }
            if !waitForInput(until: deadline) { return .idle("") }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = Glibc.read(STDIN_FILENO, &chunk, chunk.count)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                atEnd = true
            } else if n == 0 {
                atEnd = true
            } else {
                buffer.append(contentsOf: chunk[..<n])
            }
        }
    }

    func remember(_ line: String) {}
    func forget() {}
}
