import Foundation
import GridCore
import GridCrypto
import GridLedgerModel
import GridNet
import Logging

/// The submitter's side of the protocol: one connection to a matchmaker, one request at a time.
public struct GridClient: Sendable {
    public let host: String
    public let port: Int
    public let identity: Identity
    public var network = NetConfiguration()
    /// When set, the handshake fails unless the matchmaker proves this identity.
    public var expectedMatchmaker: PeerID?
    private let logger: Logger

    public init(host: String, port: Int, identity: Identity, logger: Logger) {
        self.host = host
        self.port = port
        self.identity = identity
        self.logger = logger
    }

    /// Whether `error` may go away on a new connection: the matchmaker is gone or restarting.
    public static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? NetError { return error.isTransient }
        if let error = error as? ClientError { return error.isTransient }
        return false
    }

    /// A signed submission of `request` under a fresh job id. Sending the same submission again is safe: the
    /// matchmaker answers with the job it already stored.
    public func submission(for request: JobRequest) throws -> Submission {
        try Self.submission(for: request, signedBy: identity)
    }

    /// A submission of `request` under a fresh job id, its escrow of `request.escrowCredits` signed by `identity`.
    public static func submission(for request: JobRequest, signedBy identity: Identity) throws -> Submission {
        let now = UnixTime.nowMillis()
        return try submission(for: request, id: JobID(millis: now, randomBytes: Digest.randomBytes(6)),
                              signedBy: identity, at: now)
    }

    /// A submission of `request` under `id` (a job id chosen by the program), its escrow signed by `identity` at
    /// `timestamp` (Unix milliseconds).
    public static func submission(for request: JobRequest, id: JobID, signedBy identity: Identity,
                                  at timestamp: Int64 = UnixTime.nowMillis()) throws -> Submission {
        let escrow = try EntryBody.escrow(job: id.rawValue, amount: Int64(request.escrowCredits),
                                          submitter: identity.peerID, timestamp: timestamp)
        let signed = try escrow.signed(by: identity)
        return Submission(id: id, request: request, escrowTimestamp: timestamp,
                          escrowSignature: Data(signed.signature))
    }

    /// Submissions of `requests` under fresh job ids, in order, their escrows signed by `identity` in batches of up to
    /// `escrowBatchSize` with one signature each (docs/ledger.md, "Batch signatures"), so neither the client nor the
    /// matchmaker spends an Ed25519 operation per job. Each submission still stands on its own: the matchmaker accepts
    /// or refuses it alone, and its ledger entry carries the proof that places it in its batch.
    public static func submissions(for requests: [JobRequest], signedBy identity: Identity) throws -> [Submission] {
        var submissions: [Submission] = []
        submissions.reserveCapacity(requests.count)
        for start in stride(from: 0, to: requests.count, by: escrowBatchSize) {
            let chunk = requests[start..<min(start + escrowBatchSize, requests.count)]
            let now = UnixTime.nowMillis()
            let ids = chunk.map { _ in JobID(millis: now, randomBytes: Digest.randomBytes(6)) }
            let bodies = try zip(ids, chunk).map { id, request in
                try EntryBody.escrow(job: id.rawValue, amount: Int64(request.escrowCredits),
                                     submitter: identity.peerID, timestamp: now)
            }
            let signed = try BatchSignature.sign(bodies, by: identity)
            for (index, request) in chunk.enumerated() {
                submissions.append(Submission(id: ids[index], request: request, escrowTimestamp: now,
                                              escrowSignature: Data(signed[index].signatureField)))
            }
        }
        return submissions
    }

    /// The most escrows `submissions(for:signedBy:)` signs with one signature: each carries a proof of 8 hashes.
    public static let escrowBatchSize = 256

    /// Submits, resending the same submission on a new connection if the first one breaks after it was opened
    /// (never twice charged: the matchmaker keys jobs by id). A matchmaker that cannot be reached at all fails fast.
    public func submit(_ submission: Submission, retryFor window: Duration = .seconds(10)) async throws -> JobRecord {
        try await retrying(until: .now + window, evenIfUnreachable: false) { session in
            try await session.submit(submission)
        }
    }

    /// Waits until the job is final or `deadline` passes, reconnecting while the matchmaker is gone or restarting
    /// (a matchmaker shutting down answers waits early, with the job still unfinished).
    public func waitUntilFinal(_ id: JobID, deadline: ContinuousClock.Instant) async throws -> JobRecord {
        while true {
            let record = try await retrying(until: deadline, evenIfUnreachable: true) { session in
                try await session.wait(id, timeout: max(.zero, deadline - .now))
            }
            guard !record.status.isFinal, ContinuousClock.now + .milliseconds(250) < deadline else { return record }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private func retrying<R: Sendable>(
        until deadline: ContinuousClock.Instant, evenIfUnreachable: Bool, _ body: (Session) async throws -> R
    ) async throws -> R {
        var connectedOnce = false
        while true {
            do {
                return try await withSession { session in
                    connectedOnce = true
                    return try await body(session)
                }
            } catch {
                // Nothing listening, or something that is not a matchmaker (its handshake failed or timed out): a
                // submit fails at once, so the error it reports is what happened, not the last of several attempts.
                let netError = error as? NetError
                let unreachable = netError?.isConnectionFailure == true || netError?.isHandshakeFailure == true
                guard Self.isTransient(error), evenIfUnreachable || connectedOnce || !unreachable,
                      ContinuousClock.now + .milliseconds(250) < deadline else { throw error }
                logger.info("matchmaker connection lost; retrying", metadata: ["grid.reason": "\(error)"])
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// Runs `body` with a lasting connection for many jobs and streamed results (see `GridConnection`).
    public func connect<R: Sendable>(configuration: GridConnection.Configuration? = nil,
                                     _ body: (GridConnection) async throws -> R) async throws -> R {
        var settings = configuration ?? GridConnection.Configuration()
        if configuration == nil { settings.network = network }
        return try await GridConnection.withConnection(
            host: host, port: port, identity: identity, matchmaker: expectedMatchmaker, configuration: settings,
            logger: logger, body)
    }

    /// Runs `body` with an open session.
    public func withSession<R: Sendable>(_ body: (Session) async throws -> R) async throws -> R {
        try await GridConnector.connect(host: host, port: port, identity: identity, expectedPeer: expectedMatchmaker,
                                        configuration: network, logger: logger) { connection in
            try await body(Session(connection: connection, identity: identity))
        }
    }

    /// One open connection to the matchmaker.
    public struct Session: Sendable {
        let connection: SecureConnection
        let identity: Identity

        /// The matchmaker's peer id.
        public var matchmaker: PeerID { connection.remotePeer }

        /// Sends one request and returns the answer; a `.failure` answer is thrown as `ClientError`.
        public func request(_ message: Message) async throws -> Message {
            try await connection.send(MessageCodec.encode(message))
            guard let bytes = try await connection.receive() else { throw ClientError.closed }
            let reply = try MessageCodec.decode(bytes)
            if case .failure(let reason) = reply { throw ClientError.refused(reason) }
            return reply
        }

        /// Sends a signed submission (see `GridClient.submission(for:)`).
        public func submit(_ submission: Submission) async throws -> JobRecord {
            try expectJob(await request(.submit(submission)))
        }

        public func status(_ id: JobID) async throws -> JobRecord {
            try expectJob(await request(.status(id)))
        }

        /// Waits until the job is final or `timeout` passes; returns the job either way.
        public func wait(_ id: JobID, timeout: Duration) async throws -> JobRecord {
            try expectJob(await request(.wait(id, timeoutMillis: Int(timeout.wholeMilliseconds))))
        }

        /// Withdraws a queued job and refunds its escrow.
        public func cancel(_ id: JobID) async throws -> JobRecord {
            try expectJob(await request(.cancel(id)))
        }

        /// Why one of the caller's jobs waits, clause by clause, or what happened to each of its attempts.
        public func explain(_ id: JobID) async throws -> JobExplanation {
            guard case .explanation(let explanation) = try await request(.explain(id)) else {
                throw ClientError.unexpected("explanation")
            }
            return explanation
        }

        public func jobs() async throws -> [JobRecord] {
            guard case .jobs(let list) = try await request(.listJobs) else { throw ClientError.unexpected("jobs") }
            return list
        }

        public func peers() async throws -> [PeerInfo] {
            guard case .peers(let list) = try await request(.listPeers) else { throw ClientError.unexpected("peers") }
            return list
        }

        public func balance(of peer: PeerID) async throws -> Int {
            guard case .credits(let n) = try await request(.balance(peer)) else { throw ClientError.unexpected("credits") }
            return n
        }

        private func expectJob(_ reply: Message) throws -> JobRecord {
            guard case .job(let record) = reply else { throw ClientError.unexpected("job") }
            return record
        }
    }
}
