import Foundation
import Testing

@testable import CasesCore

/// A move between stages is refused with the same error and sentence whether a caseworker
/// makes it with `advance` or `close` or an import file's history holds it.
@Suite struct StageTransitionTests {
    /// The sentence the import report gives for the one row of `line`.
    func importReason(_ t: TestVault, _ line: String) throws -> String {
        let f = ImportFixture()
        let r = try t.rejectedImport(f.file("cases.jsonl", lines: [line]), .jsonl)
        try #require(r.rejected.count == 1)
        return r.rejected[0].reason
    }

    /// The error `body` throws, and its sentence as an import report would give it.
    func refusal(_ body: () throws -> Any) -> (CaseError?, String?) {
        do {
            _ = try body()
            return (nil, nil)
        } catch let e as CaseError {
            return (e, e.rowReason)
        } catch {
            return (nil, "\(error)")
        }
    }

    func history(_ steps: [[String: Any]]) -> String {
        caseLine { o in
            var h = o["history"] as! [Any]
            h = Array(h.prefix(1)) + steps
            o["history"] = h
        }
    }

    @Test func settledBeforeArrivalIsRefusedAlikeByCloseAndImport() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        _ = try t.caseload.advance(id, document: CaseloadTests.assessment)
        let (error, sentence) = refusal { try t.caseload.close(id, outcome: .settled) }
        let expected = CaseError.cannotMove(
            from: .riskAssessment, to: .closed,
            why: "a case is settled only after arrival; use another outcome or advance it first")
        #expect(error == expected)
        #expect(try StageTransitionTests.thrown { try StageTransition.check(from: .riskAssessment, to: .closed, outcome: .settled) } == expected)
        let imported = try importReason(t, history([["stage": "closed", "on": "2021-04-01", "outcome": "settled"]]))
        #expect(imported == sentence)
        #expect(try t.caseload.show(id).stage == .riskAssessment)
    }

    @Test func skippingAStageIsRefusedAlikeByAdvanceAndImport() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        _ = try t.caseload.advance(id, document: CaseloadTests.assessment)
        let (error, sentence) = refusal { try t.caseload.advance(id, to: .arrival, document: CaseloadTests.arrival) }
        #expect(error == .cannotMove(from: .riskAssessment, to: .arrival, why: "cases move one stage at a time; the next stage is destination"))
        let imported = try importReason(
            t,
            history([
                [
                    "stage": "arrival", "on": "2021-04-01",
                    "arrival": ["arrived_on": "2021-04-01", "country": "GE", "city": "Tbilisi"],
                ]
            ]))
        #expect(imported == sentence)
    }

    @Test func closingAClosedCaseIsRefusedAlikeByCloseAndImport() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        _ = try t.caseload.close(id, outcome: .withdrawn)
        let (error, sentence) = refusal { try t.caseload.close(id, outcome: .withdrawn) }
        #expect(error == .cannotMove(from: .closed, to: .closed, why: "the case is already closed"))
        let imported = try importReason(
            t,
            history([
                ["stage": "closed", "on": "2021-04-01", "outcome": "withdrawn"],
                ["stage": "closed", "on": "2021-04-02", "outcome": "withdrawn"],
            ]))
        #expect(imported == sentence)
    }

    @Test func goingBackWithoutAReasonIsRefusedAlikeByAdvanceAndImport() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        _ = try t.caseload.advance(id, document: CaseloadTests.assessment)
        var advanceError: InputError?
        do { _ = try t.caseload.advance(id, to: .intake, document: AdvanceDocument(reason: "  ")) } catch let e as InputError { advanceError = e }
        #expect(advanceError == .missing(["reason (why the case goes back to intake)"]))
        let imported = try importReason(t, history([["stage": "intake", "on": "2021-04-01", "reason": " "]]))
        #expect(imported == "Missing history[1].reason (why the case goes back to intake)")
    }

    static func thrown(_ body: () throws -> Any) throws -> CaseError? {
        do { _ = try body() } catch let e as CaseError { return e }
        return nil
    }
}
