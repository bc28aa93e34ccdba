import Foundation

/// The JSON forms of documents and sealed records.
enum RecordCoding {
    /// Documents people read and write (import files, the synthetic caseload): snake_case keys,
    /// sorted, so a file is stable for a seed.
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// Sealed records, which no one reads as text: keys as the code names them, in no order.
    /// Converting and sorting keys was a third of the cost of sealing a case. ``decoder``
    /// reads both this and the snake_case records of earlier builds, because converting from
    /// snake case leaves a key without an underscore as it is.
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
