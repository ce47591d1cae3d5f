/// The rule for label keys, shared by jobs and workers.
public enum LabelRules {
    public static func isValidKey(_ key: String) -> Bool {
        (1...64).contains(key.utf8.count) && key.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x30 && $0 <= 0x39)
                || $0 == 0x5f || $0 == 0x2d || $0 == 0x2e
        }
    }
}
