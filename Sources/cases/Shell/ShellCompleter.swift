import CasesCore

/// Candidates for Tab: command names first, a group's subcommands second, case ids after.
struct ShellCompleter {
    static let builtins = ["exit", "help", "lock", "quit"]
    let shell: ShellSession

    func candidates(words: [String], prefix: String) -> [String] {
        let all: [String]
        if words.isEmpty {
            all = Cases.configuration.subcommands.filter { $0 != Shell.self }.map { $0._commandName } + Self.builtins
        } else if words.count == 1, let group = Cases.configuration.subcommands.first(where: { $0._commandName == words[0] }),
            !group.configuration.subcommands.isEmpty
        {
            all = group.configuration.subcommands.map { $0._commandName }
        } else if words.count == 1 && words[0] == "help" {
            all = Cases.configuration.subcommands.filter { $0 != Shell.self }.map { $0._commandName }
        } else if prefix.hasPrefix("-") {
            all = []
        } else {
            all = caseIDs()
        }
        return all.filter { $0.lowercased().hasPrefix(prefix.lowercased()) }.sorted()
    }

    /// The ids of the open vault's cases; none while the shell is locked.
    func caseIDs() -> [String] {
        guard let vault = shell.unlocked, let list = try? Caseload(vault: vault).list() else { return [] }
        return list.cases.map { $0.id.description }
    }
}
