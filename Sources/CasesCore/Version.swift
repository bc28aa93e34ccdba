public enum CasesCoreVersion { public static let string = "0.1.0" }
