import Foundation
import Testing

@testable import CasesCore

/// The import's fast line reader must read exactly what Foundation's decoder reads, or step
/// aside for it; never read a line differently.
@Suite struct FastDocumentReaderTests {
    func fast(_ line: String) -> OpenDocument? {
        Array(line.utf8).withUnsafeBufferPointer { FastDocumentReader.decode($0) }
    }

    func slow(_ line: String) -> OpenDocument? {
        try? DocumentReader.decode(OpenDocument.self, from: Data(line.utf8))
    }

    /// Agreement on one line: the fast reader steps aside or reads what the decoder reads.
    func agrees(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let f = fast(line) else { return true }
        let s = slow(line)
        #expect(f == s, "the fast reader read \(line) differently", sourceLocation: sourceLocation)
        return f == s
    }

    func syntheticLines(_ count: Int, seed: UInt64) throws -> [String] {
        var data = Data()
        try SyntheticCaseload(count: count, seed: seed).writeJSONL { data.append($0) }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func everySyntheticLineIsReadFastAndAsTheDecoderReadsIt() throws {
        let lines = try syntheticLines(2000, seed: 7)
        for line in lines {
            let f = try #require(fast(line), "the fast reader stepped aside on a generated line")
            #expect(f == slow(line))
        }
    }

    @Test func escapesNullsForgivingValuesAndSpacesAreReadFast() throws {
        let readFast = [
            // JSON escapes, a Cyrillic name written as \u escapes (as Python writes it) and an emoji as a surrogate pair.
            #"{"principal":{"full_name":"\u0418\u0432\u0430\u043d \"\u0418\u0432\u0430\u043d\u043e\u0432\" \/ \\ \b\f\n\r\t","segment":"journalist"},"notes":"\ud83d\ude00"}"#,
            // null is absent for an optional field.
            #"{"principal":{"full_name":null,"birth_year":null,"contact":null},"family":null,"history":null}"#,
            // Forgiving spellings, read through the same checks as the decoder's.
            #"{"principal":{"segment":"Human rights defender","reason":"criminal-prosecution","citizenship":"Russia","current_country":"ge"}}"#,
            // Spaces around every token, and after the object.
            " { \"principal\" : { \"birth_year\" : -12 , \"aliases\" : [ ] , \"languages\" : [ \"ru\" , \"en\" ] } , \"family\" : [ { } ] } \t ",
            caseLine(),
        ]
        for line in readFast {
            let f = try #require(fast(line), "stepped aside on \(line)")
            #expect(f == slow(line), "read differently: \(line)")
        }
        #expect(fast(readFast[0])?.principal.fullName == "Иван \"Иванов\" / \\ \u{8}\u{c}\n\r\t")
        #expect(fast(readFast[0])?.notes == "😀")
        #expect(fast(readFast[2])?.principal.citizenship == CountryCode("RU"))
    }

    @Test func whatItDoesNotHandleExactlyGoesToTheDecoder() throws {
        let stepsAside = [
            #"{"principal":{"fullName":"camelCase key"}}"#, // the decoder maps camelCase too
            #"{"principal":{"full_name":"a"},"extra":1}"#, // unknown key
            #"{"principal":{"full_name":"a","full_name":"b"}}"#, // a key twice
            #"{"principal":{"birth_year":1986.0}}"#,
            #"{"principal":{"birth_year":1e3}}"#,
            #"{"principal":{"birth_year":01986}}"#,
            #"{"principal":{"birth_year":-0}}"#,
            #"{"principal":{"birth_year":1234567890123456789}}"#,
            "{\"principal\":{\"birth_year\":1\(String(repeating: "2", count: 300))}}", // found by the fuzzer: overflowed
            #"{"principal":{"birth_year":"1986"}}"#,
            #"{"principal":{"full_name":"\ud800"}}"#, // a lone surrogate
            #"{"principal":{"full_name":"\udc00x"}}"#,
            #"{"principal":{"full_name":"\x"}}"#,
            "{\"principal\":{\"full_name\":\"tab\tinside\"}}", // a raw control character
            #"{"principal":{"segment":"astronaut"}}"#, // not a value of the list
            #"{"principal":{"citizenship":"Atlantis"}}"#,
            #"{"principal":{}} x"#, // trailing bytes
            #"{"family":[]}"#, // no principal
            #"{"principal":null}"#,
            #"{"principal":{},"history":[{"stage":"arrival"}]}"#, // a step without its date
            #"[{"principal":{}}]"#,
            #"{"principal":{"full_name":"a"}"#,
            "",
        ]
        for line in stepsAside {
            #expect(fast(line) == nil, "read fast: \(line)")
        }
    }

    /// Random byte changes to generated lines: wherever the fast reader still reads a line, the
    /// decoder must read the same document.
    @Test func mutatedLinesAreReadAlikeOrLeftToTheDecoder() throws {
        let lines = try syntheticLines(150, seed: 9)
        var random = SeededRandom(seed: 4)
        let alphabet = Array(#"{}[]":,\ 0123456789-.eEnulltrue"abcu"#.utf8)
        var read = 0
        var total = 0
        for line in lines {
            for _ in 0..<40 {
                var bytes = Array(line.utf8)
                for _ in 0...random.below(3) {
                    let at = random.below(bytes.count)
                    switch random.below(3) {
                    case 0: bytes[at] = alphabet[random.below(alphabet.count)]
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(alphabet[random.below(alphabet.count)], at: at)
                    }
                }
                guard let mutated = String(validating: bytes, as: UTF8.self) else { continue }
                total += 1
                if fast(mutated) != nil { read += 1 }
                if !agrees(mutated) { return }
            }
        }
        // Many changes land inside a value and still read (394 of 5,770 here): the comparison is not empty.
        #expect(read > total / 20, "the fast reader read only \(read) of \(total) mutated lines")
    }
}
