import Foundation

/// The JSON forms of documents (imports, the synthetic caseload) and of the few records sealed
/// as JSON. Cases, summaries and events are sealed in their binary form only (``BinaryRecord``).
enum RecordCoding {
    /// Documents people read and write (import files, the synthetic caseload): snake_case keys,
    /// sorted, so a file is stable for a seed.
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// The few records sealed as JSON (releases, the unlock policy), which no one reads as text:
    /// keys as the code names them, in no order. ``decoder`` reads them too, because converting
    /// from snake case leaves a key without an underscore as it is.
    static let sealedEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()
}
