import CasesCore
import CasesCrypto
import Foundation

/// Why a command could not get what it needs from the person at the keyboard.
enum SessionError: CasesError {
    case noTerminal
    case noInput(String)
    case stdinIsTheShells(String)

    var kind: FailureKind { .invalidInput }
    var description: String {
        switch self {
        case .noTerminal: "No terminal to ask for the passphrase; give it with --passphrase-file or CASES_PASSPHRASE_FILE."
        case .noInput(let what): "No \(what) given and stdin is not a terminal; pass it with --input FILE (or - for stdin)."
        case .stdinIsTheShells(let what):
            "Inside `cases shell` stdin carries the shell's commands, so the \(what) cannot come from it; pass it with --input FILE."
        }
    }
}

/// Opening and unlocking the vault the global options name.
struct Session {
    let options: GlobalOptions
    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The shell a command runs in, bound by `cases shell` for as long as it runs; nil outside
    /// one. A command is an ArgumentParser value made by parsing its words, so the shell cannot
    /// hand it a parameter: the binding reaches it instead, read-only and gone when the shell
    /// ends, unlike a global anyone could set. `unlock()` hands out the shell's unlocked vault
    /// instead of asking again when the vault path matches.
    @TaskLocal static var shell: ShellSession?

    /// True while `cases shell` runs: stdin then belongs to the shell, not to the command.
    static var inShell: Bool { shell != nil }

    init(options: GlobalOptions) {
        var merged = options
        if let shell = Session.shell?.options {
            merged.vault = merged.vault ?? shell.vault
            merged.passphraseFile = merged.passphraseFile ?? shell.passphraseFile
            merged.recoveryFile = merged.recoveryFile ?? shell.recoveryFile
            merged.stateDir = merged.stateDir ?? shell.stateDir
        }
        self.options = merged
    }

    var vaultPath: String { VaultLocation.resolve(explicit: options.vault) }

    /// True when unlocking asks the person at the terminal (no passphrase or recovery file).
    var asksForSecretOnTerminal: Bool {
        options.recoveryFile == nil && (options.passphraseFile ?? environment["CASES_PASSPHRASE_FILE"] ?? "").isEmpty
    }
    /// Where this laptop's record of each vault's last state is kept (``RollbackAnchor``).
    var stateFolder: String { RollbackAnchor.folder(explicit: options.stateDir) }

    /// The passphrase from --passphrase-file, $CASES_PASSPHRASE_FILE or the terminal.
    func passphrase(prompt: String = "Vault passphrase: ") throws -> SecretBytes {
        if let file = options.passphraseFile ?? environment["CASES_PASSPHRASE_FILE"], !file.isEmpty {
            return try SecretInput.firstLine(ofFile: file)
        }
        return try Terminal.readSecret(prompt: prompt)
    }

    /// A new passphrase, typed twice on a terminal (or read once from a file, for scripts). On
    /// a terminal, with `refuseWeak`, a weak one is refused at once and asked for again; the
    /// core checks again whatever comes from a file.
    static func newPassphrase(file: String?, what: String, refuseWeak: Bool = false) throws -> SecretBytes {
        if let file { return try SecretInput.firstLine(ofFile: file) }
        var first = try Terminal.readSecret(prompt: "New \(what): ")
        var refusals = 0
        while refuseWeak, try PassphraseStrength.bits(of: first) < PassphraseStrength.minimumBits {
            refusals += 1
            guard refusals < 3 else { throw PassphraseError.tooWeak }
            Terminal.message(PassphraseError.tooWeak.description)
            first = try Terminal.readSecret(prompt: "New \(what): ")
        }
        let second = try Terminal.readSecret(prompt: "Repeat the \(what): ")
        guard first.isEqual(to: second) else { throw SecretInputError.mismatch }
        return first
    }

    func open() throws -> Vault {
        try Vault.open(at: vaultPath, anchorFolder: stateFolder)
    }

    /// Opens and unlocks: the recovery code if --recovery-file is given, else the passphrase.
    /// Inside `cases shell`, the shell's unlocked vault when this command names the same file.
    /// A command naming another vault unlocks that one with its own secret; the shell's key
    /// never serves it, nor a file moved to the shell's path since it unlocked.
    func unlock() throws -> UnlockedVault {
        if let shell = Session.shell, let cached = shell.unlocked, Session.samePath(cached.vault.path, vaultPath) {
            if cached.vault.isStillTheFile(at: vaultPath) { return cached }
            shell.unlocked = nil // wipes the key: it belongs to a file no longer there
            Terminal.message("The vault file was replaced while the shell was open; the shell is locked.")
        }
        return try unlock(try open())
    }

    static func samePath(_ a: String, _ b: String) -> Bool {
        func canonical(_ p: String) -> String {
            (URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path)
        }
        return a == b || canonical(a) == canonical(b)
    }

    /// Unlocks with a passphrase and keeps it, for a command that uses it again (`key rotate`).
    /// Inside `cases shell`, the shell's unlocked vault, and the passphrase asked once more.
    func unlockKeepingPassphrase() throws -> (UnlockedVault, SecretBytes) {
        if let cached = Session.shell?.unlocked, Session.samePath(cached.vault.path, vaultPath), cached.vault.isStillTheFile(at: vaultPath) {
            return (cached, try passphrase(prompt: "The passphrase you unlocked with: "))
        }
        let pass = try passphrase()
        let unlocked = try open().unlock(passphrase: pass)
        warnAboutUnlockPolicy(unlocked)
        return (unlocked, pass)
    }

    /// Unlocks an already opened vault (for example one restored from a backup).
    func unlock(_ vault: Vault) throws -> UnlockedVault {
        let unlocked: UnlockedVault
        if let file = options.recoveryFile {
            let code = try RecoveryCode(parsing: try SecretInput.firstLine(ofFile: file))
            unlocked = try vault.unlock(recoveryCode: code)
        } else {
            unlocked = try vault.unlock(passphrase: try passphrase())
        }
        warnAboutUnlockPolicy(unlocked)
        warnAboutRollback(unlocked)
        warnAboutDamagedKeyslots(unlocked)
        return unlocked
    }

    /// Says at every unlock that the vault is behind this laptop's record of it (writes and
    /// releases are then refused with the same sentence), and once that a record was started
    /// for a vault that already had a history. Not with --json, whose stderr carries only errors.
    private func warnAboutRollback(_ vault: UnlockedVault) {
        guard !options.json else { return }
        switch vault.anchorStatus {
        case .off, .consistent, .started(hadHistory: false): break
        case .rolledBack, .damaged:
            if let refusal = vault.anchorStatus.refusal {
                Terminal.message(
                    "warning: \(refusal.finding). Nothing can be changed or published until it is accepted with `cases audit accept-rollback` (only if you restored a backup on purpose)."
                )
            }
        case .started(hadHistory: true):
            Terminal.message(
                "note: this laptop had no record of this vault's last state (first use here, or the record in \(stateFolder) was deleted), so a rollback before now cannot be detected; from now on it can."
            )
        case .notKept(let why):
            Terminal.message(
                "warning: cannot keep this laptop's record of the vault's last state (\(why)); a rolled-back vault will not be noticed. Set CASES_STATE_DIR or --state-dir to a folder you can write."
            )
        }
    }

    /// Names every keyslot whose fields no longer match their MAC, at every unlock, so a
    /// damaged recovery slot is found long before the day it is needed. Also with --json: the
    /// vault still works, but the warning must not be lost to a script.
    private func warnAboutDamagedKeyslots(_ vault: UnlockedVault) {
        for slot in vault.damagedKeyslots {
            let fix =
                slot.kind == "recovery"
                ? "it may no longer open the vault when it is needed: make sure a passphrase opens it, and keep a backup"
                : slot.unlockedThisSession
                    ? "it opened this session, but its label or cost was changed: add a new passphrase with `cases key add`, then remove this slot"
                    : "it may no longer open the vault: add a new passphrase with `cases key add`, then remove this slot with `cases key remove`"
            Terminal.message("warning: the keyslot \(slot.name) was changed outside cases (its salt, cost, wrapped key or label); \(fix).")
        }
    }

    /// Says once that wrong passphrases were tried since the last unlock (someone may have
    /// had the laptop), and at every unlock that the unlock policy was changed outside cases.
    /// Not with --json, whose stderr carries only errors.
    private func warnAboutUnlockPolicy(_ vault: UnlockedVault) {
        guard !options.json else { return }
        let tries = vault.failedUnlocksBefore
        if tries > 0 {
            Terminal.message("warning: \(tries) wrong passphrase\(tries == 1 ? " was" : "s were") tried on this vault since it was last opened.")
        }
        if (try? vault.unlockPolicy().altered) == true {
            Terminal.message("warning: this vault's unlock policy was changed outside cases; check it with `cases key policy` and set it again.")
        }
    }

    func caseload() throws -> Caseload {
        Caseload(vault: try unlock())
    }

    /// The bytes of `--input FILE` or `-` (stdin); with no --input, stdin when it is not a
    /// terminal; nil when a person is at the terminal (the caller then prompts).
    static func readInput(_ input: String?, what: String) throws -> Data? {
        if let input {
            if input == "-" {
                // Inside a shell fed by a pipe, stdin holds the next commands, not this input.
                if inShell && !Terminal.stdinIsTerminal { throw SessionError.stdinIsTheShells(what) }
                // On a terminal nothing else would show that the command now waits for text.
                if Terminal.stdinIsTerminal {
                    Terminal.message("Type the \(what), then press Ctrl-D on an empty line (Ctrl-C abandons it).")
                }
                return try Terminal.readAllOfStdin()
            }
            guard FileManager.default.fileExists(atPath: input) else { throw InputFileError.missing(input) }
            guard let data = FileManager.default.contents(atPath: input) else { throw InputFileError.unreadable(input) }
            return data
        }
        if Terminal.stdinIsTerminal { return nil }
        if inShell { throw SessionError.stdinIsTheShells(what) }
        let data = try Terminal.readAllOfStdin()
        if data.isEmpty { throw SessionError.noInput(what) }
        return data
    }
}

enum InputFileError: CasesError {
    case missing(String)
    case unreadable(String)
    var kind: FailureKind {
        switch self {
        case .missing: .notFound
        case .unreadable: .io
        }
    }
    var description: String {
        switch self {
        case .missing(let p): "The input file \(p) does not exist; check the path."
        case .unreadable(let p): "Could not read the input file \(p); check its permissions."
        }
    }
}
