import Foundation
import Testing

@testable import CasesCore

/// The duplicate key's name folding has a table-driven path for ASCII and basic Cyrillic; it
/// must give exactly what Foundation's folding gives, or the same person would get two keys.
@Suite struct NameFoldingTests {
    @Test func everyScalarOfTheTableFoldsAsFoundationFoldsIt() {
        var fast = 0
        for value in 0..<NameFolding.table.count {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            for name in [String(scalar), "a\(scalar)b", "Ж \(scalar)-\(scalar)", "\(scalar)\(scalar)"] {
                guard let f = NameFolding.fast(name) else { continue }
                fast += 1
                #expect(f == NameFolding.reference(name), "U+\(String(value, radix: 16)) in \(name.debugDescription)")
            }
        }
        #expect(fast > 3000) // nearly every ASCII and Cyrillic scalar takes the table's path
    }

    @Test func generatedAndRandomNamesFoldAsFoundationFoldsThem() {
        var names = SyntheticCaseload(count: 2000, seed: 5).flatMap { d in [d.principal.fullName ?? ""] + (d.family ?? []).compactMap(\.fullName) }
        var rng = SeededRandom(seed: 11)
        let pool = Array(0x20...0x7E) + Array(0x400...0x45F) + [0x09, 0x0A, 0x0D, 0xA0, 0xC9, 0xE9, 0xF6, 0x301, 0x306]
        for _ in 0..<5000 {
            let length = Int(rng.next() % 24)
            names.append(
                String(String.UnicodeScalarView((0..<length).compactMap { _ in Unicode.Scalar(UInt32(pool[Int(rng.next() % UInt64(pool.count))])) })))
        }
        names += ["  Ёлка  Йошкар-Ола ", "Pyotr\r\nSIDOROV", "e\u{301}mile", "ИВАНОВ\u{306}", "Ḱim", "straße", "---", " ", "Łukasz", "Ǆemal"]
        var fastCount = 0
        for name in names {
            if NameFolding.fast(name) != nil { fastCount += 1 }
            #expect(NameFolding.folded(name) == NameFolding.reference(name), "\(name.debugDescription)")
        }
        #expect(fastCount > names.count / 2)
        // Names with a combining mark or outside the table take Foundation's path.
        #expect(NameFolding.fast("e\u{301}mile") == nil)
        #expect(NameFolding.fast("Ḱim") == nil)
        #expect(NameFolding.folded("  Ёлка  Йошкар-Ола ") == Array("елка иошкар ола".utf8))
    }
}
