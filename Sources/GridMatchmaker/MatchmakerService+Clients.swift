import GridCore
import GridNet

/// Client connections: requests answered in order, and results of followed jobs pushed as they become final.
///
/// Like a worker's, a client's connection has an outbox that its own task drains, so the actor never awaits the
/// network: answers and pushes are both put into the outbox, answers in the order the requests came.
extension MatchmakerService {
    nonisolated func serveClient(_ connection: SecureConnection, first: Message) async throws {
        let peer = connection.remotePeer
        let (outbox, continuation) = AsyncStream<Message>.makeStream()
        let session = await clientConnected(peer, outbox: continuation)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in outbox {
                        try await connection.send(MessageCodec.encode(message))
                    }
                }
                group.addTask {
                    var next: Message? = first
                    while let request = next {
                        continuation.yield(await self.answer(request, from: peer, session: session))
                        guard let bytes = try await connection.receive() else { break }
                        do {
                            next = try MessageCodec.decode(bytes)
                        } catch {
                            self.logger.warning("bad message", metadata: [
                                "grid.peer": "\(peer.short)", "grid.reason": "\(error)",
                            ])
                            continuation.yield(.failure("\(error)"))
                            break
                        }
                    }
                    // The writer sends what is already queued, then ends.
                    continuation.finish()
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

    func clientConnected(_ peer: PeerID, outbox: AsyncStream<Message>.Continuation) -> UInt64 {
        clients.open(peer, outbox: outbox)
    }

    func clientDisconnected(_ session: UInt64) {
        clients.close(session)
    }

    /// Follows jobs on a client's session; answers with how many. Every job must exist, or none is followed.
    func followJobs(_ ids: [JobID], from peer: PeerID, session: UInt64) throws -> Message {
        guard ids.count <= Message.maxBatch else {
            throw MatchmakerError.badRequest("a subscription may name at most \(Message.maxBatch) jobs, "
                                             + "got \(ids.count)")
        }
        var records: [JobRecord] = []
        for id in ids {
            guard var record = try store.job(id) else { throw MatchmakerError.unknownJob(id) }
            if record.submitter != peer { record.output = nil }
            records.append(record)
        }
        for record in records {
            follow(record, on: session)
        }
        return .subscribed(records.count)
    }

    /// Pushes `record` at once when it is final, else follows it until it is.
    func follow(_ record: JobRecord, on session: UInt64) {
        if record.status.isFinal {
            clients.sessions[session]?.outbox.yield(.result(record))
        } else {
            clients.follow(record.id, on: session)
        }
    }

    /// Pushes a job that just became final to every session following it.
    func pushResult(_ id: JobID) {
        let sessions = clients.finished(id)
        guard !sessions.isEmpty else { return }
        guard let record = try? store.job(id) else {
            logger.error("a finished job could not be read to push its result", metadata: ["grid.job.id": "\(id)"])
            return
        }
        for session in sessions {
            var shown = record
            if shown.submitter != session.peer { shown.output = nil }
            session.outbox.yield(.result(shown))
        }
    }
}
