import NIOCore
import Synchronization

/// Connections a listener has accepted but not yet handed to a handler task, so stopping can close them.
///
/// NIO may still hold accepted connections in the listening channel's buffer when serving stops; those never
/// reach the accept loop, and without this register they would stay open.
final class AcceptedConnections: Sendable {
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var stopped = false
    }

    private let state = Mutex(State())

    /// Registers a just-accepted channel; closes it at once if the listener has stopped.
    func add(_ channel: any Channel) {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.open[ObjectIdentifier(channel)] = channel
            return true
        }
        if !accepted {
            channel.close(promise: nil)
        }
    }

    /// Forgets a channel the accept loop has taken over.
    func remove(_ channel: any Channel) {
        _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Closes every channel not taken over, and any accepted from now on.
    func stop() {
        let leftovers = state.withLock { state -> [any Channel] in
            state.stopped = true
            defer { state.open.removeAll() }
            return Array(state.open.values)
        }
        for channel in leftovers {
            channel.close(promise: nil)
        }
    }
}
