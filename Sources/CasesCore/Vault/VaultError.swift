/// What can go wrong opening, unlocking or writing a vault, in a caseworker's words.
public enum VaultError: CasesError, Equatable {
    case notFound(path: String)
    case alreadyExists(path: String)
    case notAVault(path: String)
    case tooOpen(path: String, mode: String)
    case wrongPassphrase
    case wrongRecoveryCode
    case malformedRecoveryCode
    case integrity(String)
    case busy
    case io(String)
    case lastKeyslot
    case noSuchKeyslot(String)
    case newerFormat(Int)
    /// A vault of a test build from before format 1.0, which this version does not read.
    case olderTestBuild
    case shredded
    case shreddedByPolicy(Int)
    /// A wrong passphrase or recovery code counted by the unlock policy.
    case wrongUnderPolicy(recoveryCode: Bool, triesLeft: Int)
    case policyOutOfRange(Int)
    /// Another process has the vault open, for a change that needs it alone (``Vault/alone(_:)``).
    case openElsewhere

    public var kind: FailureKind {
        switch self {
        case .notFound, .noSuchKeyslot: .notFound
        case .alreadyExists: .exists
        case .notAVault, .integrity, .shredded: .integrity
        case .tooOpen, .io: .io
        case .wrongPassphrase, .wrongRecoveryCode, .shreddedByPolicy, .wrongUnderPolicy: .auth
        case .malformedRecoveryCode, .lastKeyslot, .newerFormat, .olderTestBuild, .policyOutOfRange: .invalidInput
        case .busy, .openElsewhere: .busy
        }
    }

    public var description: String {
        switch self {
        case .notFound(let p): "No vault at \(p). Create one with `cases init`, or name yours with --vault or CASES_VAULT."
        case .alreadyExists(let p): "A vault already exists at \(p); nothing was changed. Choose another path with --vault."
        case .notAVault(let p): "\(p) is not a cases vault, or it is damaged beyond reading (integrity check failed)."
        case .tooOpen(let p, let mode):
            "\(p) can be read by other users (mode \(mode)); run `chmod 600 \(p)` and `chmod 700` on its folder, then try again."
        case .wrongPassphrase:
            "The passphrase does not open this vault; nothing was changed. Check it and try again, or use your recovery code with --recovery-file."
        case .wrongRecoveryCode: "The recovery code does not open this vault; nothing was changed."
        case .malformedRecoveryCode:
            "That is not a recovery code: a recovery code has 26 characters in groups of five, with a check character; check for a typo."
        case .integrity(let what): "Integrity check failed: \(what). The vault was altered or damaged; restore it from a backup."
        case .busy: "Another cases process is writing to this vault; nothing was changed. Wait a moment and try again."
        case .io(let what): "Could not write to the vault: \(what). Nothing was changed; free some disk space or check permissions, then try again."
        case .lastKeyslot: "That is the vault's last keyslot; removing it would lock everyone out. Add another first with `cases key add`."
        case .noSuchKeyslot(let s): "No keyslot \(s) in this vault; `cases key list` shows them."
        case .newerFormat(let v): "This vault was written by a newer version of cases (format \(v)); upgrade cases to open it."
        case .olderTestBuild: "This vault was made by an older test build of cases and cannot be opened by this version; nothing in it was changed."
        case .shredded: "This vault has been shredded: its keys are destroyed and nothing in it can be read."
        case .shreddedByPolicy(let n):
            "Wrong again: after \(n) wrong tries in a row this vault's unlock policy has shredded it, and no passphrase or recovery code can open it any more."
        case .wrongUnderPolicy(let recovery, let left):
            "The \(recovery ? "recovery code" : "passphrase") does not open this vault, and \(left) more wrong tr\(left == 1 ? "y" : "ies") in a row will shred it (unlock policy); check it before trying again."
        case .openElsewhere:
            "Another cases process has this vault open (a `cases shell`, or a command still running); nothing was changed. Close it and try again."
        case .policyOutOfRange(let n):
            "\(n) is outside what --shred-after accepts (\(UnlockPolicy.allowed.lowerBound) to \(UnlockPolicy.allowed.upperBound)), so that a typo or two never destroys the vault; nothing was changed."
        }
    }
}
