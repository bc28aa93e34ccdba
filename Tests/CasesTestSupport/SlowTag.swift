import Testing

extension Tag {
    /// Suites that take seconds to minutes each: SIGKILL at random moments, a full disk, races
    /// between processes, the shell on a pseudo-terminal. `Scripts/test-fast` leaves out every
    /// suite or test with this tag (docs/development.md); CI runs everything.
    @Tag public static var slow: Self
}
