import GridCore
import GridNet

/// Which client connection follows which jobs: the bookkeeping behind `Message.subscribe`, without I/O.
///
/// Sessions are numbered; each owns an outbox its connection task drains. A job may be followed by several sessions
/// (two connections of one submitter); a session forgets its jobs when it closes, and a job leaves the book once
/// its result was pushed.
struct ClientSubscriptions {
    /// What a client connection's task sends: a message, or the result of a job that just became final, which the
    /// task reads from the store (off the actor) before sending.
    enum Outgoing: Sendable {
        case message(Message)
        case result(JobID)
    }

    struct Session {
        var peer: PeerID
        var outbox: Outbox<Outgoing>
        var jobs: Set<JobID> = []
    }

    private(set) var sessions: [UInt64: Session] = [:]
    private var followers: [JobID: Set<UInt64>] = [:]
    private var lastSession: UInt64 = 0

    /// How many jobs are followed by at least one session.
    var followedJobs: Int { followers.count }

    /// Opens a session for `peer`'s connection; returns its number.
    mutating func open(_ peer: PeerID, outbox: Outbox<Outgoing>) -> UInt64 {
        lastSession += 1
        sessions[lastSession] = Session(peer: peer, outbox: outbox)
        return lastSession
    }

    /// Closes a session, forgetting the jobs it followed.
    mutating func close(_ session: UInt64) {
        guard let closed = sessions.removeValue(forKey: session) else { return }
        closed.outbox.finish()
        for id in closed.jobs {
            followers[id]?.remove(session)
            if followers[id]?.isEmpty == true { followers[id] = nil }
        }
    }

    /// Follows `id` on `session`; false when the session is closed.
    @discardableResult
    mutating func follow(_ id: JobID, on session: UInt64) -> Bool {
        guard sessions[session] != nil else { return false }
        sessions[session]?.jobs.insert(id)
        followers[id, default: []].insert(session)
        return true
    }

    /// The sessions following `id`, which stop following it: its result is about to be pushed to them.
    mutating func finished(_ id: JobID) -> [Session] {
        guard let numbers = followers.removeValue(forKey: id) else { return [] }
        return numbers.compactMap { number in
            sessions[number]?.jobs.remove(id)
            return sessions[number]
        }
    }
}
