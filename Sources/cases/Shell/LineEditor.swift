import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Puts the terminal back if the shell is killed (SIGTERM, SIGHUP, SIGQUIT) while it is in
/// raw mode, so the caseworker is not left with a terminal that echoes nothing.
private enum RawMode {
    // Unsafe on purpose: the signal handler reads these, and a handler may take no lock. The
    // main thread writes them before `active` is set and the handler only reads.
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var active: sig_atomic_t = 0
    nonisolated(unsafe) static var installed = false

    static func enter(saved state: termios) {
        saved = state
        active = 1
        guard !installed else { return }
        installed = true
        for sig in [SIGTERM, SIGHUP, SIGQUIT] {
            signal(sig) { sig in
                if RawMode.active != 0 { tcsetattr(STDIN_FILENO, TCSANOW, &RawMode.saved) }
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }

    static func leave() { active = 0 }
}

/// A small line editor in raw mode: printable input, backspace, Enter, Ctrl-C (clear the
/// line), Ctrl-D (leave on an empty line), Ctrl-U, Tab completion, arrows and history.
/// Bytes are read with `poll` and a timeout so the idle lock can fire while waiting.
final class LineEditor: LineSource {
    let completer: ShellCompleter
    /// Earlier lines, in memory only: never written anywhere, cleared on lock.
    private var history: [String] = []
    private let out: Int32 = isatty(STDOUT_FILENO) == 1 ? STDOUT_FILENO : STDERR_FILENO
    var isInteractive: Bool { true }

    init(completer: ShellCompleter) { self.completer = completer }

    func remember(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty && history.last != line { history.append(line) }
    }

    func forget() { history.removeAll() }

    private func emit(_ s: String) {
        let bytes = Array(s.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(out, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR { continue }; return }
            done += n
        }
    }

    private func readByte(until deadline: TimeInterval?, atMost: TimeInterval? = nil) -> UInt8?? {
        guard waitForInput(until: deadline, atMost: atMost) else { return .some(nil) } // timeout
        var b: UInt8 = 0
        while true {
            let n = Glibc.read(STDIN_FILENO, &b, 1)
            if n == 1 { return .some(b) }
            if n < 0 && errno == EINTR { continue }
            return nil // end of input or error
        }
    }

    func read(initial: String, idle: TimeInterval?, prompt: (Int?) -> String) -> LineEvent {
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return .eof }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | BRKINT | INPCK | ISTRIP)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        RawMode.enter(saved: saved)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) // DRAIN, not FLUSH: keys typed ahead are kept
        defer {
            tcsetattr(STDIN_FILENO, TCSADRAIN, &saved)
            RawMode.leave()
        }

        var line = Array(initial)
        var cursor = line.count
        var historyIndex = history.count
        var draft = line
        var deadline = idle.map { monotonicNow() + $0 }
        var shownPrompt = ""
        var utf8: [UInt8] = []

        func secondsLeft() -> Int? { deadline.map { max(0, Int(($0 - monotonicNow()).rounded(.up))) } }
        func redraw() {
            shownPrompt = prompt(secondsLeft())
            var s = "\r\u{1B}[K" + shownPrompt + String(line)
            let back = line.count - cursor
            if back > 0 { s += "\u{1B}[\(back)D" }
            emit(s)
        }
        func recall(_ i: Int) {
            if historyIndex == history.count { draft = line }
            historyIndex = i
            line = i == history.count ? draft : Array(history[i])
            cursor = line.count
        }
        func complete() {
            let before = String(line[..<cursor])
            let endsInBlank = before.last.map { $0 == " " } ?? true
            var words = before.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let prefix = endsInBlank ? "" : (words.popLast() ?? "")
            if words.first == "cases" { words.removeFirst() }
            let found = completer.candidates(words: words, prefix: prefix)
            guard !found.isEmpty else { emit("\u{07}"); return }
            var common = found[0]
            for f in found.dropFirst() {
                while !f.lowercased().hasPrefix(common.lowercased()) { common.removeLast() }
            }
            if found.count == 1 { common += " " }
            if common.count > prefix.count {
                line.replaceSubrange((cursor - prefix.count)..<cursor, with: Array(common))
                cursor += common.count - prefix.count
                redraw()
            } else {
                emit("\r\n" + found.joined(separator: "  ") + "\r\n")
                redraw()
            }
        }

        redraw()
        while true {
            guard let next = readByte(until: deadline, atMost: 1) else {
                emit("\r\n")
                return line.isEmpty ? .eof : .line(String(line))
            }
            guard let byte = next else {
                if let d = deadline, monotonicNow() >= d {
                    emit("\r\n")
                    return .idle(String(line))
                }
                if prompt(secondsLeft()) != shownPrompt { redraw() }
                continue
            }
            deadline = idle.map { monotonicNow() + $0 } // any key is activity

            switch byte {
            case 0x0D, 0x0A: // Enter
                emit("\r\n")
                return .line(String(line))
            case 0x03: // Ctrl-C: drop the line
                emit("^C\r\n")
                line = []; cursor = 0; historyIndex = history.count
                redraw()
            case 0x04: // Ctrl-D: leave on an empty line, else delete under the cursor
                if line.isEmpty { emit("\r\n"); return .eof }
                if cursor < line.count { line.remove(at: cursor); redraw() }
            case 0x7F, 0x08: // Backspace
                if cursor > 0 { line.remove(at: cursor - 1); cursor -= 1; redraw() }
            case 0x09: // Tab
                complete()
            case 0x01: cursor = 0; redraw() // Ctrl-A
            case 0x05: cursor = line.count; redraw() // Ctrl-E
            case 0x15: line.removeSubrange(0..<cursor); cursor = 0; redraw() // Ctrl-U
            case 0x0C: emit("\u{1B}[H\u{1B}[2J"); redraw() // Ctrl-L
            case 0x1B: // escape sequences: arrows, Home, End, Delete
                guard case .some(.some(let kind)) = readByte(until: nil, atMost: 0.05) else { continue }
                var params: [UInt8] = []
                var final: UInt8 = 0
                if kind == UInt8(ascii: "[") {
                    while case .some(.some(let b)) = readByte(until: nil, atMost: 0.05) {
                        if b >= 0x40 && b <= 0x7E { final = b; break }
                        params.append(b)
                    }
                } else if kind == UInt8(ascii: "O") {
                    guard case .some(.some(let b)) = readByte(until: nil, atMost: 0.05) else { continue }
                    final = b
                } else {
                    continue
                }
                switch final {
                case UInt8(ascii: "A"): if historyIndex > 0 { recall(historyIndex - 1); redraw() }
                case UInt8(ascii: "B"): if historyIndex < history.count { recall(historyIndex + 1); redraw() }
                case UInt8(ascii: "C"): if cursor < line.count { cursor += 1; redraw() }
                case UInt8(ascii: "D"): if cursor > 0 { cursor -= 1; redraw() }
                case UInt8(ascii: "H"): cursor = 0; redraw()
                case UInt8(ascii: "F"): cursor = line.count; redraw()
                case UInt8(ascii: "~"):
                    switch params {
                    case [UInt8(ascii: "3")]: if cursor < line.count { line.remove(at: cursor); redraw() }
                    case [UInt8(ascii: "1")], [UInt8(ascii: "7")]: cursor = 0; redraw()
                    case [UInt8(ascii: "4")], [UInt8(ascii: "8")]: cursor = line.count; redraw()
                    default: break
                    }
                default: break
                }
            default:
                guard byte >= 0x20 else { continue } // other control keys do nothing
                utf8.append(byte)
                let lead = utf8[0]
                let need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
                guard utf8.count >= need else { continue }
                let text = String(decoding: utf8, as: UTF8.self)
                utf8.removeAll()
                for ch in text { line.insert(ch, at: cursor); cursor += 1 }
                redraw()
            }
        }
    }
}
