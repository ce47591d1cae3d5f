import GridCore
import NIOCore
import Synchronization

/// A listener's `ConnectionLimits` behind a lock, fed by its accept path and released by each channel's close.
final class ListenerAdmission: Sendable {
    private struct State {
        var limits: ConnectionLimits
        /// The address and (once authenticated) the peer each admitted channel is counted for.
        var counted: [ObjectIdentifier: (address: String, peer: PeerID?)] = [:]
    }

    private let state: Mutex<State>

    init(limits: ConnectionLimits) {
        self.state = Mutex(State(limits: limits))
    }

    /// Decides about a just-accepted channel, and arranges for its count to be released when it closes.
    func accept(_ channel: any Channel) -> ConnectionLimits.Admission {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        let key = ObjectIdentifier(channel)
        let admission = state.withLock { state in
            let admission = state.limits.accept(from: address)
            if admission == .admitted { state.counted[key] = (address, nil) }
            return admission
        }
        switch admission {
        case .admitted:
            channel.closeFuture.whenComplete { _ in self.closed(key) }
        case .refused:
            channel.closeFuture.whenComplete { _ in self.state.withLock { $0.limits.refusalClosed() } }
        case .dropped:
            break
        }
        return admission
    }

    /// The handshake of `channel` proved `peer`: nil if it may stay, the refusal otherwise.
    func authenticated(_ channel: any Channel, as peer: PeerID) -> ConnectionLimits.Refusal? {
        let key = ObjectIdentifier(channel)
        return state.withLock { state in
            guard state.counted[key] != nil else { return nil }  // already closed
            if let refusal = state.limits.authenticated(peer) { return refusal }
            state.counted[key]?.peer = peer
            return nil
        }
    }

    /// The current counts, for tests and diagnostics.
    var limits: ConnectionLimits { state.withLock { $0.limits } }

    private func closed(_ key: ObjectIdentifier) {
        state.withLock { state in
            guard let entry = state.counted.removeValue(forKey: key) else { return }
            state.limits.closed(from: entry.address, peer: entry.peer)
        }
    }
}
