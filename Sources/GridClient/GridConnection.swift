import GridCore
import GridCrypto
import GridNet
import Logging

/// A lasting connection to a matchmaker for programs that submit many jobs: submissions go many to a frame, and
/// the final record of every job submitted (or watched) on it arrives in `results`, pushed by the matchmaker as the
/// job finishes, with no polling.
///
/// Open one with `GridConnection.withConnection(host:port:identity:matchmaker:configuration:logger:_:)` or
/// `GridClient.connect(_:)`; it closes when the body returns. When the link breaks, the connection reconnects for
/// up to `Configuration.reconnectWindow`, sends every unfinished submission again under its job id (never charged
/// twice: the matchmaker answers a known id with the job it stored) and follows those jobs again, so `results`
/// still yields each job exactly once. See docs/client-api.md.
public actor GridConnection {
    /// How a connection behaves; the defaults suit most programs.
    public struct Configuration: Sendable {
        /// Connect and handshake timeouts, frame limits.
        public var network = NetConfiguration()
        /// How long to keep trying to reconnect after the link broke before giving up.
        public var reconnectWindow: Duration = .seconds(10)
        /// Submissions per frame (at most `Message.maxBatch`).
        public var batchSize = 500

        public init() {}
    }

    private enum State {
        /// Connecting for the first time.
        case starting
        /// A link is up; requests go into its outbox.
        case linked(Outbox<Message>)
        /// The link broke; the connection is reconnecting.
        case reconnecting
        /// Closed by the program, or given up after `reconnectWindow`.
        case closed(any Error)
    }

    /// The final record (succeeded, failed or cancelled) of every job submitted or watched on this connection, each
    /// exactly once, in the order they finished. Meant for one consumer. Ends when the connection closes, with an
    /// error when it was lost for good.
    public nonisolated let results: AsyncThrowingStream<JobRecord, any Error>
    /// The peer id of the matchmaker, as proven by its handshake (set once connected).
    public private(set) var matchmaker: PeerID?

    let host: String
    let port: Int
    let identity: Identity
    let expectedMatchmaker: PeerID?
    let configuration: Configuration
    let logger: Logger
    private let resultsContinuation: AsyncThrowingStream<JobRecord, any Error>.Continuation
    private var state = State.starting
    /// The requests sent on the current link, waiting for their answers.
    private let replies = PendingReplies()
    /// Requests waiting for a link.
    private var linkWaiters: [CheckedContinuation<Void, any Error>] = []
    /// Jobs whose result has not arrived yet, with their submission when it was made here (to send it again after
    /// a reconnect; a watched job has none).
    private var unfinished: [JobID: Submission?] = [:]

    init(host: String, port: Int, identity: Identity, expectedMatchmaker: PeerID?, configuration: Configuration,
         logger: Logger) {
        self.host = host
        self.port = port
        self.identity = identity
        self.expectedMatchmaker = expectedMatchmaker
        self.configuration = configuration
        self.logger = logger
        (results, resultsContinuation) = AsyncThrowingStream<JobRecord, any Error>.makeStream()
    }

    /// Connects to the matchmaker at `host:port` as `identity`, runs `body`, and closes the connection when `body`
    /// returns or throws.
    ///
    /// With `matchmaker`, the handshake fails unless the matchmaker proves that identity. A matchmaker that cannot
    /// be reached at all fails at once with a `NetError`.
    public static func withConnection<R: Sendable>(
        host: String, port: Int, identity: Identity, matchmaker: PeerID? = nil,
        configuration: Configuration = Configuration(), logger: Logger = Logger(label: "grid.client"),
        _ body: (GridConnection) async throws -> R
    ) async throws -> R {
        let connection = GridConnection(host: host, port: port, identity: identity, expectedMatchmaker: matchmaker,
                                        configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await connection.maintain() }
            do {
                try await connection.waitForLink()
                let result = try await body(connection)
                await connection.close(ClientError.closedByProgram)
                group.cancelAll()
                return result
            } catch {
                await connection.close(error)
                group.cancelAll()
                throw error
            }
        }
    }

    /// How many jobs submitted or watched here have not delivered their result yet.
    public var pending: Int { unfinished.count }

    // MARK: Requests

    /// Signs and submits one job; returns it as stored. Its result arrives in `results`.
    ///
    /// Throws `ClientError` with the matchmaker's sentence when the job is refused.
    public func submit(_ request: JobRequest) async throws -> JobRecord {
        switch try await submit([request])[0] {
        case .accepted(let record): return record
        case .refused(_, let reason): throw ClientError.refused(reason)
        }
    }

    /// Signs and submits many jobs, `Configuration.batchSize` to a frame; returns one answer per request, in order:
    /// the stored job, or the sentence saying why it was refused. The result of every accepted job arrives in
    /// `results`.
    public func submit(_ requests: [JobRequest]) async throws -> [SubmissionAnswer] {
        let submissions = try GridClient.submissions(for: requests, signedBy: identity)
        return try await submit(submissions)
    }

    /// Submits jobs already signed (see `GridClient.submission(for:signedBy:)`); sending one again is safe.
    public func submit(_ submissions: [Submission]) async throws -> [SubmissionAnswer] {
        // Expected before they are sent: a fast job's result may arrive before the answer to its batch.
        for submission in submissions where unfinished[submission.id] == nil {
            unfinished[submission.id] = submission
        }
        var answers: [SubmissionAnswer] = []
        answers.reserveCapacity(submissions.count)
        let size = max(1, min(configuration.batchSize, Message.maxBatch))
        do {
            for start in stride(from: 0, to: submissions.count, by: size) {
                let chunk = Array(submissions[start..<min(start + size, submissions.count)])
                let reply = try await requestRetrying(.submitMany(chunk, subscribe: true))
                guard case .submitted(let chunkAnswers) = reply, chunkAnswers.count == chunk.count else {
                    throw ClientError.unexpected("submitted")
                }
                for case .refused(let id, _) in chunkAnswers { unfinished[id] = nil }
                answers += chunkAnswers
            }
        } catch {
            // The jobs of batches that got no answer may or may not be stored; their results are not awaited.
            for submission in submissions[answers.count...] { unfinished[submission.id] = nil }
            throw error
        }
        return answers
    }

    /// Follows jobs submitted elsewhere (by this identity, or any job without its output): their final records
    /// arrive in `results`, at once for those already final.
    public func watch(_ ids: [JobID]) async throws {
        let fresh = ids.filter { unfinished[$0] == nil }
        for id in fresh { unfinished[id] = .some(nil) }
        do {
            for start in stride(from: 0, to: fresh.count, by: Message.maxBatch) {
                let chunk = Array(fresh[start..<min(start + Message.maxBatch, fresh.count)])
                guard case .subscribed = try await requestRetrying(.subscribe(chunk)) else {
                    throw ClientError.unexpected("subscribed")
                }
            }
        } catch {
            for id in fresh { unfinished[id] = nil }
            throw error
        }
    }

    /// Withdraws a queued job and refunds its escrow; its cancelled record also arrives in `results` when it was
    /// submitted or watched here.
    public func cancel(_ id: JobID) async throws -> JobRecord {
        guard case .job(let record) = try await requestRetrying(.cancel(id)) else {
            throw ClientError.unexpected("job")
        }
        return record
    }

    /// Why one of the caller's jobs waits, clause by clause, or what happened to each of its attempts.
    public func explain(_ id: JobID) async throws -> JobExplanation {
        guard case .explanation(let explanation) = try await requestRetrying(.explain(id)) else {
            throw ClientError.unexpected("explanation")
        }
        return explanation
    }

    /// The job as the matchmaker knows it now.
    public func status(_ id: JobID) async throws -> JobRecord {
        guard case .job(let record) = try await requestRetrying(.status(id)) else {
            throw ClientError.unexpected("job")
        }
        return record
    }

    /// Sends `message` and returns the answer, sending it again on the next link when the current one breaks
    /// first. A `.failure` answer is thrown as `ClientError`.
    private func requestRetrying(_ message: Message) async throws -> Message {
        while true {
            do {
                return try await request(message)
            } catch let error as ClientError where error.isTransient {
                logger.debug("request interrupted; sending it again", metadata: ["grid.reason": "\(error)"])
            }
        }
    }

    private func request(_ message: Message) async throws -> Message {
        while true {
            switch state {
            case .starting, .reconnecting:
                try await waitForLink()
            case .closed(let error):
                throw error
            case .linked(let outbox):
                let replies = self.replies
                let token = replies.makeToken()
                let reply = try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { continuation in
                        if replies.enqueue(token, continuation) { outbox.yield(message) }
                    }
                } onCancel: {
                    replies.cancel(token)
                }
                if case .failure(let reason) = reply { throw ClientError.refused(reason) }
                return reply
            }
        }
    }

    private func waitForLink() async throws {
        switch state {
        case .linked: return
        case .closed(let error): throw error
        case .starting, .reconnecting:
            try await withCheckedThrowingContinuation { linkWaiters.append($0) }
        }
    }

    // MARK: The link

    /// Keeps a link to the matchmaker up until the task is cancelled or reconnecting fails for longer than
    /// `reconnectWindow`.
    private func maintain() async throws {
        var lostAt: ContinuousClock.Instant?
        while !Task.isCancelled {
            let ended: any Error
            do {
                try await GridConnector.connect(
                    host: host, port: port, identity: identity, expectedPeer: expectedMatchmaker,
                    configuration: configuration.network, logger: logger
                ) { link in
                    lostAt = nil
                    try await serve(link)
                }
                ended = ClientError.closed
            } catch {
                ended = error
            }
            if Task.isCancelled { return }
            if case .closed = state { return }
            let firstAttempt = matchmaker == nil
            linkLost(ended)
            let since = lostAt ?? .now
            lostAt = since
            guard !firstAttempt, GridClient.isTransient(ended),
                  ContinuousClock.now + .milliseconds(250) < since + configuration.reconnectWindow else {
                close(ended)
                throw ended
            }
            logger.info("matchmaker connection lost; reconnecting", metadata: ["grid.reason": "\(ended)"])
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Serves one link: a task sends the outbox, another reads answers and results; after a reconnect, unfinished
    /// jobs are submitted again (or followed again) first.
    private func serve(_ link: SecureConnection) async throws {
        let outbox = Outbox<Message>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Requests queued while the last write went out leave together, as one frame when they fit.
                while let messages = await outbox.next() {
                    try await link.send(contentsOf: MessageCodec.payloads(for: messages))
                }
            }
            group.addTask {
                try await self.read(link)
            }
            let resumed = linked(link.remotePeer, outbox: outbox)
            if !resumed.isEmpty {
                group.addTask { await self.resume(resumed) }
            }
            do {
                while try await group.next() != nil {}
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Reads answers and pushed results until the link closes, which is thrown as `ClientError.closed`.
    private nonisolated func read(_ link: SecureConnection) async throws {
        while let bytes = try await link.receive() {
            await received(try Self.decode(bytes))
        }
        throw ClientError.closed
    }

    /// `MessageCodec.decodeAll` with an untyped throw: Swift 6.3's optimizer crashes (splitting the coroutine) on the
    /// typed one inside this reader.
    private static func decode(_ bytes: [UInt8]) throws -> [Message] {
        do {
            return try MessageCodec.decodeAll(bytes)
        } catch {
            throw error as any Error
        }
    }

    private func linked(_ peer: PeerID, outbox: Outbox<Message>) -> [JobID: Submission?] {
        matchmaker = peer
        state = .linked(outbox)
        for waiter in linkWaiters { waiter.resume() }
        linkWaiters = []
        return unfinished
    }

    /// After a reconnect: submits the unfinished jobs again (the matchmaker answers known ids with their stored
    /// job) and follows the watched ones again, so no result is lost while the link was down.
    private func resume(_ jobs: [JobID: Submission?]) async {
        let submissions = jobs.values.compactMap { $0 }
        let watched = jobs.filter { $0.value == nil }.map(\.key)
        let size = max(1, min(configuration.batchSize, Message.maxBatch))
        do {
            for start in stride(from: 0, to: submissions.count, by: size) {
                let chunk = Array(submissions[start..<min(start + size, submissions.count)])
                _ = try await request(.submitMany(chunk, subscribe: true))
            }
            for start in stride(from: 0, to: watched.count, by: Message.maxBatch) {
                _ = try await request(.subscribe(Array(watched[start..<min(start + Message.maxBatch, watched.count)])))
            }
        } catch {
            logger.warning("could not follow unfinished jobs again after reconnecting", metadata: [
                "grid.reason": "\(error)",
            ])
        }
    }

    /// Takes the messages of one frame: results go to `results`, answers to their requests, in order.
    private func received(_ messages: [Message]) {
        for message in messages {
            if case .result(let record) = message {
                // A result already delivered (pushed again after a reconnect) is dropped.
                guard unfinished.removeValue(forKey: record.id) != nil else { continue }
                resultsContinuation.yield(record)
                continue
            }
            if !replies.answer(message) {
                logger.warning("the matchmaker sent an answer to no request")
            }
        }
    }

    private func linkLost(_ error: any Error) {
        if case .closed = state { return }
        state = .reconnecting
        replies.failAll(ClientError.closed)
    }

    private func close(_ error: any Error) {
        if case .closed = state { return }
        if case .linked(let outbox) = state { outbox.finish() }
        state = .closed(error)
        replies.failAll(error)
        for waiter in linkWaiters { waiter.resume(throwing: error) }
        linkWaiters = []
        if (error as? ClientError)?.isClosedByProgram == true {
            resultsContinuation.finish()
        } else {
            resultsContinuation.finish(throwing: error)
        }
    }
}
