import Foundation
import GRDB

/// Who made an event: the keyslot that unlocked the session, its label, and whether that slot
/// has since been removed.
///
/// Events record only the slot's id (its label is sealed in the keyslot row). Removing a slot
/// keeps its sealed label in `removed_keyslot`, so a departed caseworker's events still say who
/// made them.
public struct EventActor: Codable, Sendable, Equatable {
    /// The keyslot id, 16 hex digits, as recorded in the event.
    public var id: String
    /// The slot's label, if it had one.
    public var label: String?
    /// The slot no longer opens the vault.
    public var removed: Bool

    public init(id: String, label: String?, removed: Bool) {
        self.id = id
        self.label = label
        self.removed = removed
    }

    /// The actor `id` as found in `known` (from ``UnlockedVault/eventActors()``); an id in
    /// neither keyslot table is a slot removed before removed labels were kept.
    public init(id: String, in known: [String: EventActor]) {
        self = known[id] ?? EventActor(id: id, label: nil, removed: true)
    }

    /// As a caseworker reads it: `caseworker B`, `caseworker B (removed slot)`,
    /// `removed slot 3f9a1c0d5e6b7a81`.
    public var display: String {
        switch (label, removed) {
        case (let l?, false): l
        case (let l?, true): "\(l) (removed slot)"
        case (nil, false): id
        case (nil, true): "removed slot \(id)"
        }
    }
}

extension UnlockedVault {
    /// Every slot, current or removed, by id.
    public func eventActors() throws -> [String: EventActor] {
        var actors: [String: EventActor] = [:]
        for slot in try keyslots() {
            actors[slot.id] = EventActor(id: slot.id, label: slot.label, removed: false)
        }
        let removed = try vault.read { db in try Row.fetchAll(db, sql: "SELECT slot_id, sealed_label FROM removed_keyslot") }
        for row in removed {
            let id = (row["slot_id"] as Data).hexString
            guard actors[id] == nil else { continue }
            actors[id] = EventActor(id: id, label: openLabel(row["sealed_label"], slotID: id), removed: true)
        }
        return actors
    }

    /// A keyslot's sealed label, or nil if there is none or it does not open.
    func openLabel(_ sealed: Data?, slotID: String) -> String? {
        guard let sealed, let bytes = try? SealedRecord.open(Array(sealed), key: key.labels, vaultID: vault.vaultID, table: "keyslot", row: slotID)
        else {
            return nil
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
