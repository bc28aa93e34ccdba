import ArgumentParser

/// `--accept-weak-passphrase`, for `init`, `key add` and `key passwd`.
struct PassphraseStrengthOption: ParsableArguments {
    @Flag(
        help: ArgumentHelp(
            "Keep a passphrase that the strength check refuses (under about 60 bits). The audit log records that you did.",
            discussion:
                "A copied vault is guessed on other computers, where only the passphrase's own strength protects it: five or more random words."))
    var acceptWeakPassphrase = false
}
