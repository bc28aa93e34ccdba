import Foundation
import GRDB

@testable import CasesCore

/// A vault holding the same cases at each stage: every one of `perStage` generated cases
/// (``SyntheticCaseload``, whose past went straight to settled) is opened once for each stage
/// (intake, risk assessment, destination, arrival, closed) and moved there one command at a
/// time, as a caseworker would. Any difference between the stages is then the stage's alone.
struct StageBalancedVault {
    let test: TestVault
    /// Each case's stage, by its id as stored (`case_snapshot.case_id`).
    private(set) var stageOf: [String: Stage] = [:]
    /// The tables that hold nothing about cases, as they were before the first case.
    let tablesBefore: [String: [Row]]

    static let stages: [Stage] = [.intake, .riskAssessment, .destination, .arrival, .closed]
    static let caseFreeTables = ["vault", "keyslot", "unlock_policy", "removed_keyslot", "release"]

    init(perStage: Int, seed: UInt64) throws {
        test = try TestVault()
        let caseload = test.caseload
        tablesBefore = try Self.caseFreeRows(test.unlocked.vault)
        let straight = SyntheticCaseload(count: perStage * 40, seed: seed).filter { d in
            d.history?.map(\.stage) == [.riskAssessment, .destination, .arrival, .closed] && d.history?.last?.outcome == .settled
        }
        precondition(straight.count >= perStage, "seed \(seed) gave too few straight cases")
        for document in straight.prefix(perStage) {
            for (depth, stage) in Self.stages.enumerated() {
                var opening = document
                let steps = opening.history ?? []
                opening.history = nil
                let id = try caseload.open(opening)
                for step in steps.prefix(depth) {
                    if step.stage == .closed {
                        _ = try caseload.close(id, outcome: step.outcome ?? .settled)
                    } else {
                        _ = try caseload.advance(
                            id, document: AdvanceDocument(assessment: step.assessment, destination: step.destination, arrival: step.arrival))
                    }
                }
                stageOf[id.compact] = stage
            }
        }
    }

    static func caseFreeRows(_ vault: Vault) throws -> [String: [Row]] {
        try vault.read { db in
            try Dictionary(uniqueKeysWithValues: caseFreeTables.map { ($0, try Row.fetchAll(db, sql: "SELECT * FROM \($0)")) })
        }
    }
}
