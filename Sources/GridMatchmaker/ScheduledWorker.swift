import GridCore

/// A connected worker as the scheduler keeps it: its ad with the accept policy compiled once, its offers indexed by
/// capability, its attributes as expressions see them (refreshed when its running count changes), its jobs.
struct ScheduledWorker: Sendable {
    private(set) var ad: WorkerAd
    /// The ad's accept policy, compiled once per ad; nil when there is none.
    private(set) var accept: MatchExpression?
    /// Set when the ad's accept policy does not compile (the worker then takes nothing).
    private(set) var acceptProblem: String?
    /// The ad's offers by capability name.
    private(set) var offers: [String: [CapabilityOffer]] = [:]
    /// The worker as expressions see it (`MatchRules.attributes`), for the current running count.
    private(set) var attributes: Attributes
    private(set) var running: Set<JobID> = []
    /// How its attempts ended so far (the scheduler keeps the record across connections).
    private(set) var standing: WorkerStanding
    /// When the worker joined, in Unix milliseconds.
    let joinedAt: Int64

    /// A worker that just joined; `occupied` slots are taken by placeholder jobs (for one-off verdicts).
    init(ad: WorkerAd, joinedAt: Int64, occupied: Int = 0, standing: WorkerStanding = WorkerStanding()) {
        self.ad = ad
        self.joinedAt = joinedAt
        self.standing = standing
        attributes = Attributes()
        running = Set((0..<max(0, occupied)).compactMap { JobID("occupied-\($0)") })
        replaceAd(ad)
    }

    var freeSlots: Int { max(0, ad.slots - running.count) }

    /// Takes a new ad (a quarantined plugin withdrawn); running jobs stay.
    mutating func replaceAd(_ ad: WorkerAd) {
        self.ad = ad
        offers = Dictionary(grouping: ad.capabilities, by: \.name)
        accept = nil
        acceptProblem = nil
        if let source = ad.accept {
            do {
                accept = try MatchExpression(parsing: source)
            } catch {
                acceptProblem = "the worker's accept policy does not parse: \(error.summary)"
            }
        }
        refreshAttributes()
    }

    mutating func start(_ job: JobID) {
        running.insert(job)
        refreshLoad()
    }

    mutating func stop(_ job: JobID) {
        guard running.remove(job) != nil else { return }
        refreshLoad()
    }

    mutating func updateStanding(_ standing: WorkerStanding) {
        self.standing = standing
        refreshAttributes()
    }

    private mutating func refreshAttributes() {
        attributes = MatchRules.attributes(of: ad, running: running.count, standing: standing)
    }

    /// A job started or ended: only `slots_free` and `load` change, set in place (rebuilding every attribute twice
    /// per job was a twentieth of the matchmaker's actor at load).
    private mutating func refreshLoad() {
        attributes["slots_free"] = MatchRules.slotsFree(of: ad, running: running.count)
        attributes["load"] = MatchRules.load(of: ad, running: running.count)
    }
}
