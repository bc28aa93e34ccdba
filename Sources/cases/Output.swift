import CasesCore
import CasesCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Results on stdout (text or one JSON document); errors on stderr with the docs/cli.md exit code.
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

    /// Prints a recovery code from sodium memory to stdout without it ever becoming a String:
    /// with `json`, as the `recovery_code` field beside the fields of `json`; else between
    /// `before` and `after`.
    static func recoveryCode(_ code: RecoveryCode, json: [String: Any]?, before: String, after: String) throws {
        let grouped = try code.grouped()
        if let json {
            let tail = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            FileHandle.standardOutput.write(Data("{\"recovery_code\":\"".utf8))
            writeSecret(grouped)
            FileHandle.standardOutput.write(Data((tail.count > 2 ? "\"," : "\"").utf8) + tail.dropFirst() + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(before.utf8))
            writeSecret(grouped)
            FileHandle.standardOutput.write(Data(after.utf8))
        }
    }

    private static func writeSecret(_ secret: SecretBytes) {
        secret.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
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
