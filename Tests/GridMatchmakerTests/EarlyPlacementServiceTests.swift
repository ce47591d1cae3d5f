import Dispatch
import Foundation
import GridClient
import GridCore
import GridCrypto
import GridLedger
import GridNet
import GridTestKit
import Logging
import Testing

@testable import GridMatchmaker

/// Placement before the escrow commits, against the actor in process: the worker is an outbox the test reads,
/// outcomes are handed to `outcomeReceived`, the store's events are pumped to `storeReported`, and the writer can be
/// held so that writes wait in its queue (the races a real grid hits only now and then, made certain).
@Suite("Early placement, in process", .serialized)
struct EarlyPlacementServiceTests {
    let folder: TemporaryFolder
    let operatorIdentity = Identity.generate()
    let alice = Identity.generate()
    let bob = Identity.generate()
    let worker = Identity.generate()

    init() throws {
        folder = try TemporaryFolder("grid-early")
    }

    func submission(_ id: String, by identity: Identity, maxCredits: Int = 2, redundancy: Int? = nil)
        throws -> Submission {
        let request = JobRequest(capability: "text.uppercase", input: Data(id.utf8), maxCredits: maxCredits,
                                 redundancy: redundancy, quorum: redundancy)
        return try GridClient.submission(for: request, id: JobID(id)!, signedBy: identity, at: 1)
    }

    /// A service with one worker of `slots` slots joined, and its store events pumped.
    func start(slots: Int = 8) async throws -> (MatchmakerService, Outbox<Message>, Task<Void, Never>) {
        let service = try MatchmakerService(
            configuration: MatchmakerConfiguration(databasePath: folder.file("mm.sqlite")),
            identity: operatorIdentity, logger: Logger(label: "test"))
        let events = await service.storeEvents
        let pump = Task { for await event in events { await service.storeReported(event) } }
        let ad = WorkerAd(capabilities: [CapabilityOffer(name: "text.uppercase", version: SemanticVersion("1.0.0")!,
                                                         description: "", cost: 1, plugin: "p")],
                          attributes: WorkerAttributes(cores: 2, memoryGB: 4, os: "linux", arch: "x86_64",
                                                       labels: [:]),
                          slots: slots)
        let outbox = Outbox<Message>()
        _ = await service.workerJoined(worker.peerID, ad: ad, outbox: outbox)
        return (service, outbox, pump)
    }

    /// The next assignments sent to the worker (waits for them, for at most 10 s).
    func assignments(_ outbox: Outbox<Message>) async -> [Assignment] {
        await withTaskGroup(of: [Assignment]?.self) { group in
            group.addTask {
                (await outbox.next() ?? []).compactMap { if case .assign(let a) = $0 { a } else { nil } }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }

    func succeed(_ assignment: Assignment, on service: MatchmakerService) async {
        await service.outcomeReceived(JobOutcome(job: assignment.job, attempt: assignment.attempt,
                                                 output: assignment.input, error: nil, cpuMillis: 1,
                                                 pluginHash: nil), from: worker.peerID)
    }

    /// Waits until everything queued on the writer so far has committed.
    func flush(_ service: MatchmakerService) async throws {
        _ = try await service.store.writer.write { _ in true }
    }

    /// Runs one job of `identity`'s to its settlement, so the matchmaker knows its balance, and until the actor has
    /// heard of the settlement too (it forgets the job then; the store's row is final a little earlier).
    func warm(_ identity: Identity, _ id: String, service: MatchmakerService, outbox: Outbox<Message>) async throws {
        _ = try await service.accept([try submission(id, by: identity)], from: identity.peerID)[0].get()
        for assignment in await assignments(outbox) { await succeed(assignment, on: service) }
        try await settled(JobID(id)!, service)
        let deadline = ContinuousClock.now + .seconds(10)
        while await service.requests[JobID(id)!] != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(await service.requests[JobID(id)!] == nil)
    }

    /// Polls the store until the job is final, for at most 10 s.
    func settled(_ id: JobID, _ service: MatchmakerService) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await service.store.job(id)?.status.isFinal == true { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("job \(id) was not settled within 10 s")
    }

    /// Holds the writer until the returned function is called: writes queued meanwhile wait in its backlog.
    func holdWriter(_ service: MatchmakerService) async throws -> @Sendable () -> Void {
        let (entered, signal) = AsyncStream<Void>.makeStream()
        let gate = DispatchSemaphore(value: 0)
        await service.store.writer.enqueue({ _ in
            signal.yield()
            gate.wait()
        })
        var iterator = entered.makeAsyncIterator()
        _ = await iterator.next()
        return { gate.signal() }
    }

    /// Polls until at least `count` writes wait in the writer's backlog, for at most 10 s.
    func backlog(_ service: MatchmakerService, atLeast count: Int) async throws {
        let writer = await service.store.writer
        let deadline = ContinuousClock.now + .seconds(10)
        while writer.backlog.pending < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(writer.backlog.pending >= count)
    }

    @Test("a known submitter's job is placed while its write waits, and settled only after it commits")
    func placedWhileTheWriteWaits() async throws {
        defer { folder.remove() }
        let (service, outbox, pump) = try await start()
        defer { pump.cancel() }
        try await warm(alice, "warm", service: service, outbox: outbox)
        let release = try await holdWriter(service)
        let task = Task { await service.accept([try submission("x0", by: alice)], from: alice.peerID) }
        let placed = await assignments(outbox)
        #expect(placed.map(\.job) == [JobID("x0")!])
        // The run ends before its job is durable: its settlement is held, not queued behind nothing.
        for assignment in placed { await succeed(assignment, on: service) }
        #expect(await service.heldSettlements[JobID("x0")!] != nil)
        #expect(try await service.store.job(JobID("x0")!) == nil)
        release()
        #expect(try await task.value[0].get().id == JobID("x0")!)
        try await settled(JobID("x0")!, service)
        #expect(try await service.store.job(JobID("x0")!)?.output == Data("x0".utf8))
        #expect(await service.heldSettlements.isEmpty)
        #expect(await service.unconfirmed.isEmpty)
    }

    @Test("one id twice in a batch, first redundant then plain: neither is placed early, the stored one runs")
    func sameIdTwiceInABatch() async throws {
        defer { folder.remove() }
        let (service, outbox, pump) = try await start()
        defer { pump.cancel() }
        try await warm(alice, "warm", service: service, outbox: outbox)
        let results = await service.accept([try submission("x1", by: alice, redundancy: 2),
                                            try submission("x1", by: alice)], from: alice.peerID)
        #expect((try? results[0].get()) != nil && (try? results[1].get()) != nil)
        let id = JobID("x1")!
        #expect(await service.quorums[id] != nil)
        #expect(await service.requests[id] != nil)
        let runs = await assignments(outbox)
        #expect(!runs.isEmpty && runs.allSatisfy { $0.job.isRun && $0.job.parentJob == id }, "\(runs.map(\.job))")
        try await flush(service)
        let attempts = try await service.store.attempts(of: id)
        #expect(attempts.allSatisfy { $0.run != nil }, "an attempt of a run that was not the stored job's: \(attempts)")
    }

    @Test("another submitter's job queued first under the same id: no early copy, and the stored job runs")
    func otherSubmitterQueuedFirst() async throws {
        defer { folder.remove() }
        let (service, outbox, pump) = try await start()
        defer { pump.cancel() }
        try await warm(alice, "warm", service: service, outbox: outbox)
        let release = try await holdWriter(service)
        let bobs = Task { await service.accept([try submission("x2", by: bob)], from: bob.peerID) }
        try await backlog(service, atLeast: 1)
        let alices = Task { await service.accept([try submission("x2", by: alice)], from: alice.peerID) }
        try await backlog(service, atLeast: 2)
        // Alice is known, but another write of the id is queued: hers waits for its commit.
        let id = JobID("x2")!
        #expect(await service.unconfirmed.isEmpty)
        #expect(await service.scheduler.lease(of: id) == nil)
        release()
        #expect(try await bobs.value[0].get().submitter == bob.peerID)
        #expect((try? await alices.value[0].get()) == nil)
        let placed = await assignments(outbox)
        #expect(placed.map(\.job) == [id])
        for assignment in placed { await succeed(assignment, on: service) }
        try await settled(id, service)
        let row = try #require(try await service.store.job(id))
        #expect(row.submitter == bob.peerID && row.status == .succeeded && row.worker == worker.peerID)
        #expect(try await service.store.attempts(of: id).count == 1)
    }

    @Test("a submitting task cancelled while its batch is stored still waits for it: the job runs, nobody is barred")
    func cancelledWhileStoring() async throws {
        defer { folder.remove() }
        let (service, outbox, pump) = try await start()
        defer { pump.cancel() }
        try await warm(alice, "warm", service: service, outbox: outbox)
        let release = try await holdWriter(service)
        let task = Task { await service.accept([try submission("x3", by: alice)], from: alice.peerID) }
        let placed = await assignments(outbox)
        #expect(placed.map(\.job) == [JobID("x3")!])
        task.cancel()
        release()
        #expect(try await task.value[0].get().id == JobID("x3")!)
        for assignment in placed { await succeed(assignment, on: service) }
        try await settled(JobID("x3")!, service)
        #expect(try await service.store.job(JobID("x3")!)?.status == .succeeded)
        #expect(await !service.earlyPlacement.barred.contains(alice.peerID))
    }

    @Test("finished ids sent again cost at most the gate's limit of runs, once: then the submitter waits for commits")
    func resentFinishedIds() async throws {
        defer { folder.remove() }
        let (service, outbox, pump) = try await start(slots: 8)
        defer { pump.cancel() }
        try await warm(alice, "warm", service: service, outbox: outbox)
        var finished: [Submission] = []
        for n in 1...3 {
            try await warm(alice, "done-\(n)", service: service, outbox: outbox)
            finished.append(try submission("done-\(n)", by: alice))
        }
        let store = await service.store
        let balance = try store.balance(of: worker.peerID)
        let results = await service.accept(finished, from: alice.peerID)
        #expect(results.allSatisfy { (try? $0.get())?.status == .succeeded })
        #expect(await service.earlyPlacement.barred.contains(alice.peerID))
        let wasted = await assignments(outbox)
        #expect(wasted.count <= EarlyPlacementGate().limit)
        for assignment in wasted { await succeed(assignment, on: service) }
        #expect(await service.voided.isEmpty)
        #expect(await service.requests.isEmpty)
        // Barred: the same again places nothing before its commit.
        _ = await service.accept(finished, from: alice.peerID)
        #expect(await service.unconfirmed.isEmpty)
        #expect(await service.voided.isEmpty)
        #expect(await service.scheduler.queuedCount == 0)
        try await flush(service)
        #expect(try store.balance(of: worker.peerID) == balance)
        for n in 1...3 {
            #expect(try await service.store.attempts(of: JobID("done-\(n)")!).count == 1)
        }
    }
}
