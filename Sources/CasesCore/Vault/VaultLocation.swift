import Foundation

/// Where the vault lives: `--vault`, else `$CASES_VAULT`, else `$XDG_DATA_HOME/cases/vault.cases`
/// (`~/.local/share/cases/vault.cases`).
public enum VaultLocation {
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = explicit, !p.isEmpty { return p }
        if let p = environment["CASES_VAULT"], !p.isEmpty { return p }
        if let x = environment["XDG_DATA_HOME"], !x.isEmpty { return x + "/cases/vault.cases" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/cases/vault.cases"
    }
}
