import GridCore
import GridNet
import Testing
@testable import GridMatchmaker

@Suite("ClientSubscriptions")
struct ClientSubscriptionsTests {
    static let alice = PeerID(publicKey: [UInt8](repeating: 1, count: 32))
    static let bob = PeerID(publicKey: [UInt8](repeating: 2, count: 32))
    static let job = JobID("job-1")!
    static let other = JobID("job-2")!

    static func outbox() -> Outbox<ClientSubscriptions.Outgoing> {
        Outbox<ClientSubscriptions.Outgoing>()
    }

    @Test("a followed job's sessions are returned once, when it finishes")
    func finishedOnce() {
        var book = ClientSubscriptions()
        let a = book.open(Self.alice, outbox: Self.outbox())
        let b = book.open(Self.bob, outbox: Self.outbox())
        #expect(a != b)
        let followed = [book.follow(Self.job, on: a), book.follow(Self.job, on: b), book.follow(Self.other, on: a)]
        #expect(followed == [true, true, true])
        #expect(book.followedJobs == 2)
        let told = book.finished(Self.job)
        #expect(Set(told.map(\.peer)) == [Self.alice, Self.bob])
        let again = book.finished(Self.job)
        #expect(again.isEmpty)
        #expect(book.sessions[a]?.jobs == [Self.other])
        #expect(book.followedJobs == 1)
    }

    @Test("a closed session follows nothing and gets nothing")
    func closed() {
        var book = ClientSubscriptions()
        let a = book.open(Self.alice, outbox: Self.outbox())
        book.follow(Self.job, on: a)
        book.close(a)
        let told = book.finished(Self.job)
        #expect(told.isEmpty)
        let followed = book.follow(Self.other, on: a)
        #expect(!followed)
        #expect(book.followedJobs == 0)
        #expect(book.sessions.isEmpty)
    }

    @Test("a job nobody follows finishes without anyone to tell")
    func unfollowed() {
        var book = ClientSubscriptions()
        _ = book.open(Self.alice, outbox: Self.outbox())
        let told = book.finished(Self.job)
        #expect(told.isEmpty)
    }
}
