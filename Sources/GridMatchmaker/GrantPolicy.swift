import GridCore

/// Who the matchmaker hands welcome credits to, how many, and how many at most per period.
///
/// A pure value: `decide(for:offersWork:alreadyGranted:window:now:)` says what to grant and how the period's
/// window changes; the store books the grant and the window in one transaction (docs/ledger.md, "Grant policies").
public struct GrantPolicy: Sendable, Hashable {
    /// Which peers may receive a welcome grant.
    public enum Eligibility: Sendable, Hashable {
        /// Every new peer (a submitter at its first job, a worker at its first registration).
        case open
        /// Only these peers.
        case allowList(Set<PeerID>)
        /// No one: credits come only from `grid ledger grant` and `transfer`.
        case nobody
    }

    public var eligibility: Eligibility = .open
    /// Credits in one welcome grant.
    public var amount = 100
    /// Welcome credits granted at most per `period`, all peers together; nil for no cap.
    public var capPerPeriod: Int?
    /// The length of the window `capPerPeriod` counts in.
    public var period: Duration = .seconds(3600)

    public init() {}

    /// What to do about a peer seen for the first time.
    public enum Decision: Sendable, Hashable {
        /// Grant `amount` credits and store `window`.
        case grant(amount: Int, window: GrantWindow)
        /// Grant nothing, for `reason` (a sentence fragment).
        case refuse(reason: String)
        /// Grant nothing: the period's cap of `cap` credits would be passed (the operator may want to know).
        case capReached(cap: Int)
    }

    /// Decides the welcome grant of `peer`.
    ///
    /// - Parameters:
    ///   - offersWork: for a worker registering, whether its ad offers any capability; nil for a submitter.
    ///   - alreadyGranted: whether the ledger already holds a grant from the mint to the peer.
    ///   - window: the welcome credits granted in the current period, as stored.
    ///   - now: milliseconds since 1970.
    public func decide(for peer: PeerID, offersWork: Bool?, alreadyGranted: Bool, window: GrantWindow, now: Int64)
        -> Decision {
        guard amount > 0 else { return .refuse(reason: "the grant is 0 credits") }
        guard !alreadyGranted else { return .refuse(reason: "the peer was granted credits before") }
        switch eligibility {
        case .open: break
        case .nobody: return .refuse(reason: "the grant policy is none")
        case .allowList(let peers):
            guard peers.contains(peer) else { return .refuse(reason: "the peer is not on the grant allow-list") }
        }
        if offersWork == false { return .refuse(reason: "the worker offers no capability") }
        var current = window
        if now - current.start >= period.wholeMilliseconds || now < current.start {
            current = GrantWindow(start: now, granted: 0)
        }
        if let cap = capPerPeriod, current.granted + Int64(amount) > Int64(cap) {
            return .capReached(cap: cap)
        }
        current.granted += Int64(amount)
        return .grant(amount: amount, window: current)
    }
}

/// The welcome credits granted since `start` (milliseconds since 1970), for the per-period cap.
public struct GrantWindow: Sendable, Hashable {
    public var start: Int64
    public var granted: Int64

    public init(start: Int64, granted: Int64) {
        self.start = start
        self.granted = granted
    }
}
