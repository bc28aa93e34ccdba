import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

@Suite struct EventActorTests {
    @Test func removingASlotKeepsItsEventsAndItsName() throws {
        let t = try TestVault()
        let b = try t.unlocked.addKeyslot(passphrase: try secret("second caseworker walnut fjord 8"), profile: .interactive, label: "caseworker B")
        let asB = Caseload(vault: try Vault.open(at: t.path).unlock(passphrase: try secret("second caseworker walnut fjord 8")))
        let id = try asB.open(sampleDocument())
        _ = try t.caseload.note(id, text: "by the first caseworker")

        try t.unlocked.removeKeyslot(id: b.id)
        #expect(throws: VaultError.wrongPassphrase) { try Vault.open(at: t.path).unlock(passphrase: try secret("second caseworker walnut fjord 8")) }

        let fresh = try t.reopen()
        let history = try fresh.history(id)
        #expect(history.map(\.event.actor) == [b.id, t.unlocked.actor])
        let actors = try fresh.vault.eventActors()
        #expect(EventActor(id: b.id, in: actors) == EventActor(id: b.id, label: "caseworker B", removed: true))
        #expect(EventActor(id: b.id, in: actors).display == "caseworker B (removed slot)")
        #expect(EventActor(id: t.unlocked.actor, in: actors).display == "tester")

        var seen: [String] = []
        let report = try fresh.verifyAudit { _, event in seen.append(event.actor) }
        #expect(report.ok)
        #expect(seen == [b.id, t.unlocked.actor])
        #expect(report.eventsByActor == [b.id: 1, t.unlocked.actor: 1])
    }

    @Test func anUnknownSlotIsNamedAsRemovedWithoutALabel() {
        let actor = EventActor(id: "3f9a1c0d5e6b7a81", in: [:])
        #expect(actor.removed)
        #expect(actor.display == "removed slot 3f9a1c0d5e6b7a81")
        #expect(EventActor(id: "3f9a1c0d5e6b7a81", label: nil, removed: false).display == "3f9a1c0d5e6b7a81")
    }
}
