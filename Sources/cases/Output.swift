import CasesCore
import Foundation

/// Results on stdout (text or one JSON document); errors on stderr with the CLI.md exit code.
enum Output {
    static func json(_ object: Any) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    static func raw(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Encodes any Encodable as a JSON object (snake_case), for embedding in an output document.
    static func object<T: Encodable>(_ value: T) -> Any {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? e.encode(value), let obj = try? JSONSerialization.jsonObject(with: data) else { return NSNull() }
        return obj
    }

    static func exitCode(for kind: FailureKind) -> Int32 {
        switch kind {
        case .usage: 64
        case .invalidInput, .integrity: 65
        case .notFound: 66
        case .exists: 73
        case .io: 74
        case .busy, .conflict: 75
        case .auth, .budget: 77
        }
    }

    /// Prints the error as one sentence (or a JSON error document) and returns its exit code.
    static func report(_ error: any CasesError, json: Bool) -> Int32 {
        if json {
            let doc: [String: Any] = ["error": ["code": error.kind.rawValue, "message": error.description]]
            let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])) ?? Data()
            try? FileHandle.standardError.write(contentsOf: data + Data("\n".utf8))
        } else {
            let prefix = Terminal.useColour ? "\u{1B}[31merror:\u{1B}[0m " : "error: "
            Terminal.message(prefix + error.description)
        }
        return exitCode(for: error.kind)
    }
}
