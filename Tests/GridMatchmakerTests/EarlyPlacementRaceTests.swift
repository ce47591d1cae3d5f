import Foundation
import GridCore
import GridCrypto
import GridLedger
import GridLedgerModel
import GridNet
import GridTestKit
import Logging
import Testing

@testable import GridMatchmaker

/// Early placement when things go wrong around a voided run: its worker leaves, the same id is stored meanwhile, the
/// actor takes two batches in an unexpected order (on `EarlyPlacementServiceTests`'s harness); and a reload case the
/// same review found.
extension EarlyPlacementServiceTests {
    static let oneSlot = WorkerAd(
        capabilities: [CapabilityOffer(name: "text.uppercase", version: SemanticVersion("1.0.0")!,
                                       description: "", cost: 1, plugin: "p")],
        attributes: WorkerAttributes(cores: 2, memoryGB: 4, os: "linux", arch: "x86_64", labels: [:]),
        slots: 1)

    /// Moves `amount` of `from`'s credits to `to` as the operator, outside the matchmaker, as `grid ledger transfer`
    /// does: behind the matchmaker's credit bound.
    func transfer(_ amount: Int, from: PeerID, to: PeerID, service: MatchmakerService) async throws {
        let body = try EntryBody(kind: .grant, from: .peer(from), to: .peer(to), amount: Int64(amount),
                                 author: operatorIdentity.peerID, timestamp: UnixTime.nowMillis(), memo: nil)
        let signed = try body.signed(by: operatorIdentity)
        let owner = operatorIdentity.peerID
        try await service.store.database.write { db in _ = try Ledger.append(signed, operator: owner, in: db) }
    }

    /// A second worker joins, then the first leaves (with whatever it runs).
    func replaceWorker(_ service: MatchmakerService) async throws -> (PeerID, Outbox<Message>) {
        let second = Identity.generate().peerID
        let outbox = Outbox<Message>()
        _ = await service.workerJoined(second, ad: Self.oneSlot, outbox: outbox)
        let session = try #require(await service.sessions[worker.peerID]).id
        await service.workerLeft(worker.peerID, session: session)
        return (second, outbox)
    }

    @Test("a voided run whose worker leaves is not placed again on another worker")
    func voidedNotPlacedAgain() async throws {
        defer { folder.remove() }
        let (service, outbox, pump) = try await start(slots: 1)
        defer { pump.cancel() }
        try await warm(bob, "x", service: service, outbox: outbox)
        try await warm(alice, "warm", service: service, outbox: outbox)
        let id = JobID("x")!
        // Alice sends bob's finished id: placed early on the only worker, then voided (the id is bob's).
        #expect((try? await service.accept([try submission("x", by: alice)], from: alice.peerID)[0].get()) == nil)
        #expect(await assignments(outbox).map(\.job) == [id])
        #expect(await service.voided[id] != nil)
        let (second, _) = try await replaceWorker(service)
        // The lost run went back to the queue and was placed on the new worker at once: that placement is dropped.
        #expect(await service.voided[id] == nil)
        #expect(await service.scheduler.lease(of: id) == nil)
        #expect(await service.scheduler.connectedWorkers.first { $0.peer == second }?.running == 0)
    }

    @Test("a job stored under a voided run's id waits for that run, then runs once; the voided run marks nothing")
    func storedBehindAVoidedRun() async throws {
        defer { folder.remove() }
        let (service, outbox, pump) = try await start(slots: 1)
        defer { pump.cancel() }
        try await warm(alice, "warm", service: service, outbox: outbox)
        let store = await service.store
        let id = JobID("y")!
        // The operator moves alice's credits away behind the bound: her early job is refused, its run voided.
        let left = Int(try store.balance(of: alice.peerID))
        try await transfer(left, from: alice.peerID, to: bob.peerID, service: service)
        #expect((try? await service.accept([try submission("y", by: alice)], from: alice.peerID)[0].get()) == nil)
        #expect(await assignments(outbox).map(\.job) == [id])
        #expect(await service.voided[id] != nil)
        // Credits back; alice sends y again: stored, and waiting for the voided run.
        try await transfer(left, from: bob.peerID, to: alice.peerID, service: service)
        #expect((try? await service.accept([try submission("y", by: alice)], from: alice.peerID)[0].get()) != nil)
        #expect(await service.requests[id] != nil)
        // Shown queued, not running on the voided run's worker; and it can be cancelled like any queued job.
        let stored = try #require(try store.job(id))
        #expect(await service.current(stored).status == .queued)
        // The voided run's worker leaves: the voided run is dropped, and alice's stored job is placed on the new one.
        let (second, outbox2) = try await replaceWorker(service)
        let placed = await assignments(outbox2)
        #expect(placed.map(\.job) == [id])
        for assignment in placed {
            await service.outcomeReceived(JobOutcome(job: assignment.job, attempt: assignment.attempt,
                                                     output: assignment.input, error: nil, cpuMillis: 1,
                                                     pluginHash: nil), from: second)
        }
        try await settled(id, service)
        try await flush(service)
        let attempts = try store.attempts(of: id)
        #expect(attempts.count == 1 && attempts.allSatisfy { $0.endedAt != nil && $0.worker == second }, "\(attempts)")
    }

    @Test("a discarded run counts in the worker's standing, as a stored job's attempt does")
    func voidedRunStanding() async throws {
        defer { folder.remove() }
        let (service, outbox, pump) = try await start(slots: 1)
        defer { pump.cancel() }
        try await warm(alice, "warm", service: service, outbox: outbox)
        try await warm(alice, "done", service: service, outbox: outbox)
        let before = await service.scheduler.standing(of: worker.peerID)
        _ = await service.accept([try submission("done", by: alice)], from: alice.peerID)
        let wasted = await assignments(outbox)
        #expect(wasted.map(\.job) == [JobID("done")!])
        for assignment in wasted { await succeed(assignment, on: service) }
        #expect(await service.voided.isEmpty)
        let after = await service.scheduler.standing(of: worker.peerID)
        #expect(after.done == before.done + 1, "done \(before.done) -> \(after.done)")
    }

    /// Two copies of one id in the writer's queue, the writer held: alice's first, placed early (the matchmaker still
    /// counts the credits an operator's transfer just took from her), then bob's, which the store will take.
    struct TwoCopies {
        let service: MatchmakerService
        let outbox: Outbox<Message>
        let pump: Task<Void, Never>
        let release: @Sendable () -> Void
        let alices: Task<[Result<JobRecord, any Error>], Never>
        let bobs: Task<[Result<JobRecord, any Error>], Never>
        let early: [Assignment]
    }

    func twoCopies(of id: String, bobFirst: Bool = false) async throws -> TwoCopies {
        let (service, outbox, pump) = try await start(slots: 1)
        try await warm(alice, "warm", service: service, outbox: outbox)
        try await warm(bob, "warm-b", service: service, outbox: outbox)
        let store = await service.store
        try await transfer(Int(try store.balance(of: alice.peerID)), from: alice.peerID, to: worker.peerID,
                           service: service)
        let release = try await holdWriter(service)
        let (alice, bob) = (self.alice, self.bob)
        let aliceCopy = try submission(id, by: alice)
        let bobCopy = try submission(id, by: bob)
        // With `bobFirst`, bob's batch runs at a higher priority, so the actor takes it back first when both wait.
        let alices = Task(priority: bobFirst ? .low : nil) { await service.accept([aliceCopy], from: alice.peerID) }
        let early = await assignments(outbox)
        #expect(early.map(\.job) == [JobID(id)!])
        let bobs = Task(priority: bobFirst ? .high : nil) { await service.accept([bobCopy], from: bob.peerID) }
        try await backlog(service, atLeast: 3)  // alice's insert and running mark, bob's insert
        return TwoCopies(service: service, outbox: outbox, pump: pump, release: release, alices: alices, bobs: bobs,
                         early: early)
    }

    @Test("a job stored under the id of an early job then voided is placed, whichever batch the actor takes first")
    func storedBehindAnEarlyJobOutOfOrder() async throws {
        defer { folder.remove() }
        let copies = try await twoCopies(of: "z", bobFirst: true)
        defer { copies.pump.cancel() }
        let (service, id) = (copies.service, JobID("z")!)
        // Both writes finish while the actor is busy; then it takes the higher-priority batch, bob's, first.
        let writer = await service.store.writer
        await service.keepBusy(releasing: copies.release) { writer.backlog.pending == 0 && !writer.backlog.draining }
        #expect((try? await copies.alices.value[0].get()) == nil)
        #expect(try await copies.bobs.value[0].get().submitter == bob.peerID)
        // Alice's early run ends (discarded); bob's stored job is placed then.
        for assignment in copies.early { await succeed(assignment, on: service) }
        let placed = await assignments(copies.outbox)
        #expect(placed.map(\.job) == [id], "bob's stored job was never placed")
        #expect(await service.requests[id]?.submitter == bob.peerID)
    }

    @Test("an early run's requeue does not write another submitter's row stored behind it")
    func requeueOfEarlyRunLeavesOtherRow() async throws {
        defer { folder.remove() }
        let copies = try await twoCopies(of: "q")
        defer { copies.pump.cancel() }
        let service = copies.service
        // Alice's early run fails, retryably, while both writes wait: it is requeued (and placed again).
        for assignment in copies.early {
            await service.outcomeReceived(JobOutcome(job: assignment.job, attempt: assignment.attempt, output: nil,
                                                     error: "flaky", cpuMillis: 1, pluginHash: nil, retryable: true),
                                          from: worker.peerID)
        }
        copies.release()
        #expect((try? await copies.alices.value[0].get()) == nil)
        #expect(try await copies.bobs.value[0].get().submitter == bob.peerID)
        try await flush(service)
        let row = try #require(try await service.store.job(JobID("q")!))
        #expect(row.submitter == bob.peerID)
        #expect(row.message == nil, "bob's job, which has not run, carries alice's run's message: \(row.message ?? "")")
    }

    @Test("a job reloaded out of attempts is failed at start and not kept in flight for its submitter")
    func reloadedOutOfAttemptsNotInFlight() async throws {
        defer { folder.remove() }
        let path = folder.file("mm.sqlite")
        do {
            let store = try MatchmakerStore(path: path, identity: operatorIdentity, grantCredits: 100)
            _ = try store.insert(try submission("spent", by: alice), from: alice.peerID, now: 1)
            try store.markRunning(JobID("spent")!, worker: worker.peerID, attempt: 1)
        }
        var configuration = MatchmakerConfiguration(databasePath: path)
        configuration.scheduler.maxAttempts = 1
        let service = try MatchmakerService(configuration: configuration, identity: operatorIdentity,
                                            logger: Logger(label: "test"))
        #expect(await service.requests.isEmpty)
        #expect(await service.inFlight.isEmpty)
        #expect(try await service.store.job(JobID("spent")!)?.status == .failed)
    }
}

extension MatchmakerService {
    /// Keeps the actor busy (tests only): calls `release`, then polls `done` for at most 10 s without giving the actor
    /// up, so whatever is enqueued on it meanwhile waits and then runs in the actor's own order (by priority).
    func keepBusy(releasing release: () -> Void, until done: () -> Bool) {
        release()
        let deadline = ContinuousClock.now + .seconds(10)
        while !done(), ContinuousClock.now < deadline {}
    }
}
