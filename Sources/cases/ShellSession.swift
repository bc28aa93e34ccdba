import CasesCore
import Foundation

/// What `cases shell` keeps between the commands it runs: its own global options, which a
/// command typed inside it falls back to, and the vault it unlocked once, or nil while locked.
/// Setting the vault to nil releases the shell's reference, which wipes the key when it was the
/// last.
final class ShellSession: @unchecked Sendable { // `vault` is only read and written under `lock`
    let options: GlobalOptions
    private let lock = NSLock()
    private var vault: UnlockedVault?

    init(options: GlobalOptions) { self.options = options }

    var unlocked: UnlockedVault? {
        get { lock.withLock { vault } }
        set { lock.withLock { vault = newValue } }
    }
}
