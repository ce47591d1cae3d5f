import Foundation
import GRDB
import GridCore

/// A row of the `jobs` table.
struct JobRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "jobs"

    var id: String
    var submitter: String
    var capability: String
    var version: String
    var request: Data
    var status: String
    var worker: String?
    var attempts: Int
    var output: Data?
    var message: String?
    var credits: Int
    // swiftlint:disable:next identifier_name
    var max_credits: Int
    // swiftlint:disable:next identifier_name
    var submitted_at: Int64
    // swiftlint:disable:next identifier_name
    var finished_at: Int64?

    func record() throws -> JobRecord {
        guard let jobID = JobID(id), let submitterID = PeerID(hex: submitter),
              let jobStatus = JobStatus(rawValue: status) else {
            throw MatchmakerError.corruptRow(id)
        }
        return JobRecord(id: jobID, capability: capability, version: version, submitter: submitterID,
                         status: jobStatus, worker: worker.flatMap(PeerID.init(hex:)), attempts: attempts,
                         output: output, message: message, credits: credits, maxCredits: max_credits,
                         submittedAt: submitted_at, finishedAt: finished_at)
    }
}

extension JobRow {
    /// The row of job `id`, read with a statement SQLite prepares once per connection (building and parsing the
    /// query for every read was about 5% of the matchmaker's time per job).
    static func find(_ id: String, in db: Database) throws -> JobRow? {
        try JobRow.fetchOne(try db.cachedStatement(sql: "SELECT * FROM jobs WHERE id = ?"), arguments: [id])
    }

    /// Inserts the row with a cached statement (GRDB's record insert builds its statement from the encoded record
    /// each time: about 6% of the matchmaker's time per job).
    func insert(cachedIn db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO jobs (id, submitter, capability, version, request, status, worker, attempts, output, message,
                              credits, max_credits, submitted_at, finished_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, submitter, capability, version, request, status, worker, attempts, output,
                                     message, credits, max_credits, submitted_at, finished_at])
    }
}
