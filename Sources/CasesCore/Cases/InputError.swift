/// Why a JSON or CSV document describing a case was refused. Messages name the field, never
/// the value (a value may be a name).
public enum InputError: CasesError, Equatable {
    case notJSON(String)
    case notOneOf(field: String, allowed: String)
    case invalid(field: String, expected: String)
    case missing([String])
    case gateNotMet(stage: Stage, missing: [String])
    case notAllowed(String)
    case empty

    public var kind: FailureKind { .invalidInput }

    public var description: String {
        switch self {
        case .notJSON(let detail): "The input is not valid JSON (\(detail)); nothing was stored."
        case .notOneOf(let f, let allowed): "\(f) must be one of: \(allowed); nothing was stored."
        case .invalid(let f, let expected): "\(f) must be \(expected); nothing was stored."
        case .missing(let fields): "Missing \(fields.joined(separator: ", ")); nothing was stored."
        case .gateNotMet(let stage, let missing):
            "The gate of \(stage.rawValue) does not hold: missing \(missing.joined(separator: ", ")); nothing was stored."
        case .notAllowed(let why): "\(why); nothing was stored."
        case .empty: "The input is empty; nothing was stored."
        }
    }

    /// A dotted path such as `principal.consent.given_on` or `family[1].birth_year`.
    static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for k in keys {
            if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + snake(k.stringValue) }
        }
        return out.isEmpty ? "the document" : out
    }

    /// Coding keys arrive camelCased from the snake_case strategy; messages use the JSON names.
    static func snake(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}
