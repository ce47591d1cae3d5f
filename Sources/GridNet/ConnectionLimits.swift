import GridCore

/// Counts a listener's open connections in total, per source address and per authenticated peer, and decides
/// whether one more may be admitted. Pure: the listener keeps one behind a lock and does the I/O.
///
/// A connection is counted against the total and its address from the moment it is accepted (so connections still
/// in their handshake are bounded too), and against its peer once the handshake has proved who it is. Refused
/// connections are not counted, except that at most `maxRefusing` of them may be waiting to be told so; past that
/// they are closed without a word, so a flood cannot hold more descriptors than the limits allow.
public struct ConnectionLimits: Sendable, Equatable {
    /// Why a connection was not admitted.
    public enum Refusal: Sendable, Equatable {
        case tooManyConnections(limit: Int)
        case tooManyFromAddress(limit: Int)
        case tooManyFromPeer(limit: Int)
    }

    /// What to do with a just-accepted connection.
    public enum Admission: Sendable, Equatable {
        /// Counted; go on with the handshake.
        case admitted
        /// Not counted; tell the peer why during the handshake, then close.
        case refused(Refusal)
        /// Not counted; too many refusals are already being told, so close at once.
        case dropped
    }

    public let maxConnections: Int
    public let maxPerAddress: Int
    public let maxPerPeer: Int
    public let maxRefusing: Int

    public private(set) var total = 0
    public private(set) var refusing = 0
    private var byAddress: [String: Int] = [:]
    private var byPeer: [PeerID: Int] = [:]

    public init(maxConnections: Int, maxPerAddress: Int, maxPerPeer: Int, maxRefusing: Int = 64) {
        self.maxConnections = maxConnections
        self.maxPerAddress = maxPerAddress
        self.maxPerPeer = maxPerPeer
        self.maxRefusing = maxRefusing
    }

    /// The limits a `NetConfiguration` sets.
    public init(_ configuration: NetConfiguration) {
        self.init(maxConnections: configuration.maxConnections,
                  maxPerAddress: configuration.maxConnectionsPerAddress,
                  maxPerPeer: configuration.maxConnectionsPerPeer)
    }

    /// Open connections from `address` (admitted ones).
    public func connections(from address: String) -> Int { byAddress[address, default: 0] }

    /// Open authenticated connections of `peer`.
    public func connections(of peer: PeerID) -> Int { byPeer[peer, default: 0] }

    /// Decides about a connection just accepted from `address` (an IP address, without the port).
    public mutating func accept(from address: String) -> Admission {
        let refusal: Refusal
        if total >= maxConnections {
            refusal = .tooManyConnections(limit: maxConnections)
        } else if byAddress[address, default: 0] >= maxPerAddress {
            refusal = .tooManyFromAddress(limit: maxPerAddress)
        } else {
            total += 1
            byAddress[address, default: 0] += 1
            return .admitted
        }
        guard refusing < maxRefusing else { return .dropped }
        refusing += 1
        return .refused(refusal)
    }

    /// A refused connection has been told and closed.
    public mutating func refusalClosed() {
        refusing = max(0, refusing - 1)
    }

    /// The handshake of an admitted connection proved `peer`; nil when it may stay, the refusal otherwise.
    ///
    /// A refused connection stays counted against the total and its address until `closed(from:peer:)`.
    public mutating func authenticated(_ peer: PeerID) -> Refusal? {
        guard byPeer[peer, default: 0] < maxPerPeer else { return .tooManyFromPeer(limit: maxPerPeer) }
        byPeer[peer, default: 0] += 1
        return nil
    }

    /// An admitted connection from `address` closed; `peer` is the identity it was counted for, if any.
    public mutating func closed(from address: String, peer: PeerID?) {
        total = max(0, total - 1)
        Self.decrement(&byAddress, address)
        if let peer { Self.decrement(&byPeer, peer) }
    }

    private static func decrement<Key: Hashable>(_ counts: inout [Key: Int], _ key: Key) {
        guard let count = counts[key] else { return }
        if count <= 1 {
            counts.removeValue(forKey: key)
        } else {
            counts[key] = count - 1
        }
    }

    /// True when nothing is counted (every connection closed); the maps hold no empty entries.
    public var isEmpty: Bool { total == 0 && refusing == 0 && byAddress.isEmpty && byPeer.isEmpty }
}
