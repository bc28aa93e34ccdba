import ArgumentParser

/// The options every subcommand accepts, so scripts can pass them uniformly (docs/cli.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The vault file (default: $CASES_VAULT, else $XDG_DATA_HOME/cases/vault.cases).", valueName: "path"))
    var vault: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Read the passphrase from the first line of this file instead of the terminal (also $CASES_PASSPHRASE_FILE).", valueName: "path"))
    var passphraseFile: String?

    @Option(name: .long, help: ArgumentHelp("Unlock with the recovery code stored on the first line of this file.", valueName: "path"))
    var recoveryFile: String?

    @Flag(name: .long, help: "Print exactly one JSON document on stdout; errors as JSON on stderr.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where this laptop keeps its record of each vault's last state, to notice a rolled-back vault (default: $CASES_STATE_DIR, else $XDG_STATE_HOME/cases).",
            valueName: "path"))
    var stateDir: String?
}
