import Foundation

/// A one-line progress bar on stderr, only on a terminal, never with NO_COLOR or --json (docs/cli.md).
/// Written here:
/// no available package draws one without taking over the terminal.
final class ProgressBar {
    private let label: String
    private let enabled: Bool
    private var lastDrawn = -1
    /// What is counted, as in "120/900 records"; nil for bytes, shown in MiB.
    private let unit: String?

    init(_ label: String, json: Bool, unit: String? = nil) {
        self.label = label
        self.unit = unit
        enabled = !json && Terminal.useColour
    }

    func update(_ done: Int64, _ total: Int64) {
        guard enabled, total > 0 else { return }
        let percent = Int(min(100, done * 100 / total))
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let mib = { (b: Int64) in String(format: "%.1f", Double(b) / 1_048_576) }
        let amount = unit.map { "\(done)/\(total) \($0)" } ?? "\(mib(done))/\(mib(total)) MiB"
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(percent)%  \(amount)".utf8))
    }

    /// Ends the line once; later calls do nothing.
    func finish() {
        if enabled && lastDrawn >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        lastDrawn = -1
    }
}
