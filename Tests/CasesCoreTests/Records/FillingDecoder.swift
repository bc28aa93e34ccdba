import Foundation

@testable import CasesCore

/// A `Decoder` that answers every key with a value, each distinct from every other it gives:
/// decoding any record through it fills every stored property its `Codable` form names, with
/// every optional present and every list two long.
///
/// Swift can read stored properties by reflection (`Mirror`) but not set them, so the record's
/// own `init(from:)` does the setting; ``FilledRecord/unfilled(_:)`` then walks the result by
/// `Mirror` to prove nothing was left out (a property missing from the coding keys would be).
/// Values that must parse (dates, countries, vocabularies, case ids) are made valid for their
/// type; the rest are counters, so no two fields hold the same text or number.
final class FillingDecoder: Decoder {
    private var next = 1
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    static func fill<T: Decodable>(_ type: T.Type) throws -> T { try FillingDecoder().value(T.self) }

    fileprivate func counter() -> Int {
        defer { next += 1 }
        return next
    }

    /// A valid value for the types whose decoding checks its text; nil for any other type.
    fileprivate func special<T>(_ type: T.Type) -> T? {
        let n = counter()
        if T.self == ISODate.self {
            return ISODate(String(format: "%04d-%02d-%02d", 2000 + n / 336, 1 + n / 28 % 12, 1 + n % 28)) as? T
        }
        if T.self == CountryCode.self {
            let codes = Country.allCodes.sorted()
            return CountryCode(codes[n * 7 % codes.count]) as? T
        }
        if T.self == CaseID.self {
            var values = (0..<8).map { (n >> (5 * (7 - $0))) & 31 }
            values[0] = 1 + n % 31 // never the vault-wide id
            values.append(Crockford32.checkValue(values))
            return CaseID(parsing: String(decoding: values.map { Crockford32.alphabet[$0] }, as: UTF8.self)) as? T
        }
        if T.self == CaseEvent.Kind.self {
            return CaseEvent.Kind.noted as? T
        }
        if let vocabulary = T.self as? any Vocabulary.Type {
            return Self.pick(vocabulary, n) as? T
        }
        next -= 1
        return nil
    }

    private static func pick<V: Vocabulary>(_ type: V.Type, _ n: Int) -> V {
        let all = Array(V.allCases)
        return all[n % all.count]
    }

    fileprivate func value<T: Decodable>(_ type: T.Type) throws -> T {
        if let v = special(T.self) { return v }
        if T.self == String.self { return "v\(counter())" as! T }
        if T.self == Int.self { return counter() as! T }
        if T.self == Int64.self { return Int64(counter()) as! T }
        if T.self == Bool.self { return true as! T }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { Unkeyed(decoder: self) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: self) }

    private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: FillingDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.value(T.self) }
        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> {
            try decoder.container(keyedBy: N.self)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { Unkeyed(decoder: decoder) }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
    }

    private struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: FillingDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        var count: Int? { 2 }
        var currentIndex = 0
        var isAtEnd: Bool { currentIndex >= 2 }
        init(decoder: FillingDecoder) { self.decoder = decoder }
        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            currentIndex += 1
            return try decoder.value(T.self)
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> {
            currentIndex += 1
            return try decoder.container(keyedBy: N.self)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            currentIndex += 1
            return Unkeyed(decoder: decoder)
        }
        mutating func superDecoder() throws -> any Decoder { decoder }
    }

    /// Single values come from ``value(_:)`` too; `String` here is only asked for by a type that
    /// checks its text (caught by ``special(_:)`` before), so any text will not do.
    private struct Single: SingleValueDecodingContainer {
        let decoder: FillingDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.value(T.self) }
    }
}

/// Finds what a filled record left empty.
enum FilledRecord {
    /// The paths of every stored property of `value`, recursively, that is nil, an empty list,
    /// an empty text or zero: what ``FillingDecoder`` did not reach.
    static func unfilled(_ value: Any, path: String = "") -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first?.value else { return [path] }
            return unfilled(wrapped, path: path)
        case .collection:
            if mirror.children.isEmpty { return [path] }
            return mirror.children.enumerated().flatMap { unfilled($0.element.value, path: "\(path)[\($0.offset)]") }
        case .struct, .class:
            if value is ISODate || value is CountryCode || value is CaseID { return [] }
            return mirror.children.flatMap { unfilled($0.value, path: path + "." + ($0.label ?? "?")) }
        default:
            if let s = value as? String, s.isEmpty { return [path] }
            if let i = value as? Int, i == 0 { return [path] }
            if let i = value as? Int64, i == 0 { return [path] }
            return []
        }
    }
}
