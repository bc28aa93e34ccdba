import CasesCrypto
import Testing

@testable import AgeFormat

@Suite("AgeArmor")
struct ArmorTests {
    let id: AgeX25519Identity
    let plain = pattern(1001) // 168-byte header + 16 + 1001 + 16 = 1201 bytes: the armor ends in "=="
    let armored: String
    init() throws {
        id = try AgeX25519Identity.generate()
        armored = String(decoding: try encrypt(plain, [.x25519(id.recipient)], armor: true), as: UTF8.self)
    }

    private func error(_ text: String) -> AgeError? { ageError { _ = try decrypt(Array(text.utf8), [.x25519(id)]) } }
    private var lines: [String] { armored.split(separator: "\n").map(String.init) }

    @Test func armorIsStrictPEMWithSixtyFourColumnLines() {
        #expect(lines.first == AgeArmor.beginLine && lines.last == AgeArmor.endLine)
        let body = lines.dropFirst().dropLast()
        #expect(body.dropLast().allSatisfy { $0.count == 64 })
        #expect(body.last!.count <= 64 && body.last!.count % 4 == 0)
    }

    @Test func toleratesSurroundingWhitespaceAndCRLF() throws {
        #expect(try decrypt(Array(("\n \t\r\n" + armored + "\n\n  \t").utf8), [.x25519(id)]) == plain)
        #expect(try decrypt(Array(armored.replacingOccurrences(of: "\n", with: "\r\n").utf8), [.x25519(id)]) == plain)
        #expect(try decrypt(Array(String(armored.dropLast()).utf8), [.x25519(id)]) == plain) // no final newline
    }

    @Test func rejectsMissingOrAlteredBeginAndEndLines() {
        #expect(error(armored.replacingOccurrences(of: AgeArmor.endLine + "\n", with: ""))?.kind == .damaged)
        #expect(
            error(armored.replacingOccurrences(of: "-----END AGE ENCRYPTED FILE-----", with: "-----END AGE ENCRYPTED FILE----"))?.kind == .damaged)
        #expect(error(armored.replacingOccurrences(of: "BEGIN AGE ENCRYPTED FILE", with: "BEGIN age ENCRYPTED FILE"))?.kind == .damaged)
        #expect(error("garbage\n" + armored)?.kind == .damaged)
        #expect(error("\(AgeArmor.beginLine)\n\(AgeArmor.endLine)\n") == .malformedArmor("there is nothing between BEGIN and END"))
    }

    @Test func rejectsDataAfterTheEndLine() {
        #expect(error(armored + "x") == .malformedArmor("there is data after the END line"))
        #expect(error(armored + armored) == .malformedArmor("there is data after the END line"))
    }

    @Test func rejectsLinesOfTheWrongLength() {
        var l = lines
        l[1] += "AAAA" // 68 columns
        #expect(error(l.joined(separator: "\n") + "\n")?.kind == .damaged)
        l = lines
        l[1] = String(l[1].dropLast(4)) // a short line that is not the last
        #expect(error(l.joined(separator: "\n") + "\n") == .malformedArmor("a short line is not the last line"))
        l = lines
        l.insert("", at: 2) // an empty line
        #expect(error(l.joined(separator: "\n") + "\n")?.kind == .damaged)
        l = lines
        l[2] = String(l[2].dropLast()) // not a multiple of 4
        #expect(error(l.joined(separator: "\n") + "\n")?.kind == .damaged)
    }

    @Test func rejectsNonCanonicalOrMisplacedPaddingAndForeignCharacters() {
        var l = lines
        let last = l.count - 2
        l[last] = l[last].replacingOccurrences(of: "=", with: "") // padding removed
        if l[last].count % 4 != 0 { #expect(error(l.joined(separator: "\n") + "\n")?.kind == .damaged) }
        l = lines
        l[1] = String(l[1].dropLast()) + "=" // padding inside a full line
        #expect(error(l.joined(separator: "\n") + "\n")?.kind == .damaged)
        l = lines
        l[1] = "-" + l[1].dropFirst() // URL-safe alphabet
        #expect(error(l.joined(separator: "\n") + "\n")?.kind == .damaged)
        l = lines
        l[1] = " " + l[1].dropFirst() // whitespace inside
        #expect(error(l.joined(separator: "\n") + "\n")?.kind == .damaged)
    }

    @Test func nonCanonicalFinalCharacterIsRefused() {
        // 1201 armored bytes: the last quad is "xx==", whose second character has 4 spare bits.
        var l = lines
        let last = l.count - 2
        let quad = Array(l[last].utf8.suffix(4))
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let pads = quad.filter { $0 == 0x3D }.count
        #expect(pads == 2)
        let i = 3 - pads
        var q = quad
        q[i] = table[table.firstIndex(of: q[i])! | 1]
        #expect(q != quad)
        l[last] = String(l[last].dropLast(4)) + String(decoding: q, as: UTF8.self)
        #expect(error(l.joined(separator: "\n") + "\n") == .malformedArmor("a line is not canonical base64 of the right length"))
    }

    @Test func aTruncatedArmoredFileIsDamage() {
        for cut in stride(from: 1, to: armored.utf8.count - 1, by: 37) {
            let e = error(String(decoding: Array(armored.utf8)[0..<cut], as: UTF8.self))
            #expect(e?.kind == .damaged, "cut \(cut): \(String(describing: e))")
        }
    }
}
