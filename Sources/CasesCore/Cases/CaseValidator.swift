import Foundation

/// Checks a document's values for meaning: ranges, dates not in the future, dates not before
/// birth, history in order. Structure and vocabularies are checked while decoding.
struct CaseValidator: Sendable {
    let today: ISODate

    func validate(_ d: OpenDocument) throws {
        if d.principal.fullName?.isBlank() ?? true { throw InputError.missing(["principal.full_name"]) }
        try validate(d.principal, path: "principal")
        for (i, f) in (d.family ?? []).enumerated() {
            try checkYear(f.birthYear, "family[\(i)].birth_year")
        }
        try notFuture(d.openedOn, "opened_on")
        var previous = d.openedOn
        var stage = Stage.intake
        for (i, step) in (d.history ?? []).enumerated() {
            var path: String { "history[\(i)]" }
            try notFuture(step.on, "\(path).on")
            if let p = previous, step.on < p {
                throw InputError.invalid(field: "\(path).on", expected: "on or after the step before it (history must be in order)")
            }
            if let b = birthYear(d.principal), step.on.year < b {
                throw InputError.invalid(field: "\(path).on", expected: "after the principal's birth")
            }
            previous = step.on
            if step.stage == .closed && step.outcome == nil { throw InputError.missing(["\(path).outcome"]) }
            _ = try StageTransition.check(from: stage, to: step.stage, outcome: step.outcome, reason: step.reason, reasonField: "\(path).reason")
            try validate(AdvanceDocument(assessment: step.assessment, destination: step.destination, arrival: step.arrival), prefix: path + ".")
            stage = step.stage
        }
    }

    func validate(_ d: AdvanceDocument, prefix: @autoclosure () -> String = "") throws {
        if let p = d.principal { try validate(p, path: prefix() + "principal") }
        if let a = d.assessment {
            for (v, f) in [(a.likelihood, "likelihood"), (a.impact, "impact")] {
                if let v, !(1...5).contains(v) {
                    throw InputError.invalid(field: "\(prefix())assessment.\(f)", expected: "a whole number from 1 to 5")
                }
            }
            try notFuture(a.assessedOn, "\(prefix())assessment.assessed_on")
        }
        if let a = d.arrival {
            try notFuture(a.arrivedOn, "\(prefix())arrival.arrived_on")
        }
    }

    func validate(_ p: Principal, path: @autoclosure () -> String) throws {
        try checkYear(p.birthYear, "\(path()).birth_year")
        try notFuture(p.birthDate, "\(path()).birth_date")
        try notFuture(p.consent?.givenOn, "\(path()).consent.given_on")
        if let y = p.birthYear, let d = p.birthDate, d.year != y {
            throw InputError.invalid(field: "\(path()).birth_year", expected: "the same year as birth_date")
        }
    }

    /// Dates that must not come before the principal's birth or after today.
    func checkChronology(_ c: CaseFile) throws {
        guard let born = birthYear(c.principal) else { return }
        if let a = c.arrival?.arrivedOn, a.year < born {
            throw InputError.invalid(field: "arrival.arrived_on", expected: "after the principal's birth")
        }
    }

    func birthYear(_ p: Principal) -> Int? { p.birthYear ?? p.birthDate?.year }

    // Field names are autoclosures: built only for the message, not for every valid row.
    func checkYear(_ y: Int?, _ field: @autoclosure () -> String) throws {
        if let y, y < 1900 || y > today.year { throw InputError.invalid(field: field(), expected: "a year from 1900 to \(today.year)") }
    }

    func notFuture(_ d: ISODate?, _ field: @autoclosure () -> String) throws {
        if let d, d > today { throw InputError.invalid(field: field(), expected: "a date not in the future") }
    }
}

extension String {
    /// Whether this is empty or holds only characters of `set`: what
    /// `trimmingCharacters(in: set).isEmpty` says, but most values start with a letter, and then
    /// the first scalar answers without Foundation's trimming, which is slow for a check run on
    /// every field of every imported row.
    func isBlank(_ set: CharacterSet = .whitespacesAndNewlines) -> Bool {
        guard let first = unicodeScalars.first else { return true }
        if !set.contains(first) { return false }
        return trimmingCharacters(in: set).isEmpty
    }
}
