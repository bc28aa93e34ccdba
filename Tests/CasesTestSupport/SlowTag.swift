import Testing

extension Tag {
    /// Suites that take seconds to minutes each: SIGKILL at random moments, a full disk, races
    /// between processes, the shell on a pseudo-terminal, thousands of cases end to end. The fast
    /// loop skips them (`swift test --skip-build --skip tag:slow`, docs/development.md); CI runs
    /// everything.
    @Tag public static var slow: Self
}
