import CSodium

/// Process-wide libsodium initialisation; every entry point of GridCrypto calls `Sodium.ensureInitialized()`.
enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise")
    }
}
