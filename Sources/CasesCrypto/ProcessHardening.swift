import CSodium

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps secrets out of core dumps and away from other processes of the same user.
public enum ProcessHardening {
    /// Sets `RLIMIT_CORE` to 0 and `PR_SET_DUMPABLE` to 0. Call first thing in `main`.
    ///
    /// Non-dumpable also stops other processes of the same user from attaching with ptrace
    /// or reading `/proc/PID/mem`, `environ` and `cmdline` (they become root-owned).
    @discardableResult
    public static func apply() -> Bool {
        Sodium.ready()
        var ok = true
        #if os(Linux)
            var limit = rlimit(rlim_cur: 0, rlim_max: 0)
            if setrlimit(Int32(RLIMIT_CORE.rawValue), &limit) != 0 { ok = false }
            if cases_set_nondumpable() != 0 { ok = false }
        #endif
        return ok
    }
}
