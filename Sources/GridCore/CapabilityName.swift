/// The rule for capability names: lowercase words of `a-z0-9_-` joined by dots.
public enum CapabilityName {
    public static func isValid(_ name: String) -> Bool {
        guard (1...128).contains(name.utf8.count) else { return false }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f || $0 == 0x2d
            }
        }
    }
}
