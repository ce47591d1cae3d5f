import Synchronization

/// Set once from any thread or task, read by a test that polls for it.
public final class Flag: Sendable {
    private let state = Mutex(false)

    public init() {}

    public func set() { state.withLock { $0 = true } }

    public var isSet: Bool { state.withLock { $0 } }
}
