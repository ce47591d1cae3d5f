import GridCore
import GridNet

/// Client connections: requests answered in order, and results of followed jobs pushed as they become final.
///
/// Like a worker's, a client's connection has an outbox that its own task drains, so the actor never awaits the
/// network: answers and pushes both go into the outbox, answers in the order the requests came. A pushed result is
/// read from the store by that task, off the actor, after its settlement committed.
extension MatchmakerService {
    nonisolated func serveClient(_ connection: SecureConnection, first: [Message]) async throws {
        let peer = connection.remotePeer
        let outbox = Outbox<ClientSubscriptions.Outgoing>()
        let session = await clientConnected(peer, outbox: outbox)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Everything queued since the last write (answers, a burst of results) leaves together.
                    while let items = await outbox.next() {
                        var messages: [Message] = []
                        messages.reserveCapacity(items.count)
                        for item in items {
                            if let message = try await self.resolve(item, for: peer) { messages.append(message) }
                        }
                        guard !messages.isEmpty else { continue }
                        try await connection.send(contentsOf: MessageCodec.payloads(for: messages))
                    }
                }
                group.addTask {
                    var requests = first[...]
                    while true {
                        while let request = requests.popFirst() {
                            outbox.yield(.message(await self.answer(request, from: peer, session: session)))
                        }
                        guard let bytes = try await connection.receive() else { break }
                        do {
                            requests = try MessageCodec.decodeAll(bytes)[...]
                        } catch {
                            self.logger.warning("bad message", metadata: [
                                "grid.peer": "\(peer.short)", "grid.reason": "\(error)",
                            ])
                            outbox.yield(.message(.failure("\(error)")))
                            break
                        }
                    }
                    // The writer sends what is already queued, then ends.
                    outbox.finish()
                }
                do {
                    while try await group.next() != nil {}
                } catch {
                    group.cancelAll()
                    throw error
                }
            }
        } catch {
            await clientDisconnected(session)
            throw error
        }
        await clientDisconnected(session)
    }

    /// The message to send for an outbox item: a pushed result is read now, as `peer` may see it (its output only
    /// for its submitter).
    private nonisolated func resolve(_ item: ClientSubscriptions.Outgoing, for peer: PeerID) async throws -> Message? {
        switch item {
        case .message(let message):
            return message
        case .result(let id):
            guard var record = try await store.read({ try $0.job(id) }) else {
                logger.error("a finished job could not be read to push its result", metadata: ["grid.job.id": "\(id)"])
                return nil
            }
            if record.submitter != peer { record.output = nil }
            return .result(record)
        }
    }

    func clientConnected(_ peer: PeerID, outbox: Outbox<ClientSubscriptions.Outgoing>) -> UInt64 {
        clients.open(peer, outbox: outbox)
    }

    func clientDisconnected(_ session: UInt64) {
        clients.close(session)
    }

    /// Follows jobs on a client's session; answers with how many. Every job must exist, or none is followed.
    func followJobs(_ ids: [JobID], from peer: PeerID, session: UInt64) async throws -> Message {
        guard ids.count <= Message.maxBatch else {
            throw MatchmakerError.badRequest("a subscription may name at most \(Message.maxBatch) jobs, "
                                             + "got \(ids.count)")
        }
        let found = try await store.read { store in try ids.map { try store.job($0) } }
        var records: [JobRecord] = []
        for (id, record) in zip(ids, found) {
            guard var record else { throw MatchmakerError.unknownJob(id) }
            if record.submitter != peer { record.output = nil }
            records.append(record)
        }
        // Checked after the read: `follow` looks at what the actor knows now.
        for record in records {
            follow(record, on: session)
        }
        return .subscribed(records.count)
    }

    /// Pushes `record` at once when it is final (or was settled since it was read), else follows it until it is.
    func follow(_ record: JobRecord, on session: UInt64) {
        if record.status.isFinal {
            clients.sessions[session]?.outbox.yield(.message(.result(record)))
        } else if requests[record.id] == nil, !scheduler.isQueued(record.id), scheduler.lease(of: record.id) == nil {
            // Settled while it was being read or stored: a job whose settlement is durable has left `requests`.
            clients.sessions[session]?.outbox.yield(.result(record.id))
        } else {
            clients.follow(record.id, on: session)
        }
    }

    /// Pushes a job that just became final to every session following it: `record` as each may see it when given,
    /// else the job's id, for the connection's task to read the record off the actor.
    func pushResult(_ id: JobID, record: JobRecord? = nil) {
        for session in clients.finished(id) {
            guard var shown = record else {
                session.outbox.yield(.result(id))
                continue
            }
            if shown.submitter != session.peer { shown.output = nil }
            session.outbox.yield(.message(.result(shown)))
        }
    }
}
