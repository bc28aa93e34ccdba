/// Splits a typed line into words the way a POSIX shell would for quoting: blanks separate
/// words, 'single quotes' keep everything literally, "double quotes" keep blanks and honour
/// \" \\ \$ \`, and a backslash outside quotes escapes the next character; `#` at the start
/// of a word begins a comment.
///
/// Written here rather than borrowed because nothing in Foundation does it, and handing the
/// line to /bin/sh would also expand variables, globs and `$(…)` — running other programs and
/// putting the line into another process's argv, which this shell exists to avoid.
enum ShellWords {
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var it = Array(line).makeIterator()
        while let c = it.next() {
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "#" where !inWord:
                return words
            case "'":
                inWord = true
                var closed = false
                while let q = it.next() {
                    if q == "'" { closed = true; break }
                    current.append(q)
                }
                if !closed { throw ShellError.unterminatedQuote }
            case "\"":
                inWord = true
                var closed = false
                while let q = it.next() {
                    if q == "\"" { closed = true; break }
                    if q == "\\" {
                        guard let n = it.next() else { throw ShellError.unterminatedQuote }
                        if !["\"", "\\", "$", "`"].contains(n) { current.append("\\") }
                        current.append(n)
                    } else {
                        current.append(q)
                    }
                }
                if !closed { throw ShellError.unterminatedQuote }
            case "\\":
                guard let n = it.next() else { throw ShellError.danglingBackslash }
                inWord = true
                current.append(n)
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
