import Foundation

/// A connected worker as clients see it.
public struct PeerInfo: Hashable, Sendable, Codable {
    public var peer: PeerID
    public var ad: WorkerAd
    public var running: Int
    public var connectedAt: Int64
    /// How its attempts ended so far (absent from matchmakers that predate standing).
    public var standing: WorkerStanding?

    public init(peer: PeerID, ad: WorkerAd, running: Int, connectedAt: Int64, standing: WorkerStanding? = nil) {
        self.peer = peer
        self.ad = ad
        self.running = running
        self.connectedAt = connectedAt
        self.standing = standing
    }
}
