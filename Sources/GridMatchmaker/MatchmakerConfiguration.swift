import GridNet

/// How a matchmaker runs. Flags and files are read by the CLI, which fills this in.
public struct MatchmakerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 7700
    /// The SQLite file holding jobs and the ledger.
    public var databasePath: String
    /// Who gets welcome credits, how many, and how many at most per period.
    public var grants = GrantPolicy()
    /// What of the ledger is checked before the matchmaker serves.
    public var ledgerCheck = LedgerCheck.sinceVerified
    public var scheduler = Scheduler.Configuration()
    /// Jobs one submitter may have queued or running at once; more are refused until some settle.
    public var maxJobsInFlightPerSubmitter = 250_000
    public var network = NetConfiguration()
    /// How often leases are checked.
    public var tickInterval: Duration = .milliseconds(250)
    /// A checkpoint of the ledger is signed at least every this many entries ...
    public var checkpointEveryEntries = 16
    /// ... or this long after the last one, whichever comes first (when there are new entries).
    public var checkpointInterval: Duration = .seconds(1)

    public init(databasePath: String) {
        self.databasePath = databasePath
    }
}
