import Foundation
import GridCore
import GridCrypto
import GridLedger
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

        /// Signs the escrow of `request.maxCredits` and submits the job with a fresh id.
        public func submit(_ request: JobRequest) async throws -> JobRecord {
            let id = JobID(randomBytes: Digest.randomBytes(8))
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            let escrow = try EntryBody(kind: .escrow, from: .peer(identity.peerID), to: .escrow(job: id.rawValue),
                                   amount: Int64(request.maxCredits), job: id.rawValue, author: identity.peerID,
                                   timestamp: now, memo: nil)
            let signed = try escrow.signed(by: identity)
            let submission = Submission(id: id, request: request, escrowTimestamp: now,
                                        escrowSignature: Data(signed.signature))
            return try expectJob(await self.request(.submit(submission)))
        }

        public func status(_ id: JobID) async throws -> JobRecord {
            try expectJob(await request(.status(id)))
        }

        /// Waits until the job is final or `timeout` passes; returns the job either way.
        public func wait(_ id: JobID, timeout: Duration) async throws -> JobRecord {
            let millis = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            return try expectJob(await request(.wait(id, timeoutMillis: millis)))
        }

        /// Withdraws a queued job and refunds its escrow.
        public func cancel(_ id: JobID) async throws -> JobRecord {
            try expectJob(await request(.cancel(id)))
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
