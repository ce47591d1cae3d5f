import Testing
@testable import GridNet

/// The delay between attempts to reach a peer: pure, so tested with plain values.
@Suite struct ReconnectBackoffTests {
    @Test func doublesWhileAttemptsFailUpToTheMaximum() {
        var backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(10))
        let delays = (0..<7).map { _ in backoff.failed() }
        #expect(delays == [1, 2, 4, 8, 10, 10, 10].map { Duration.seconds($0) })
        #expect(backoff.failures == 7)
    }

    @Test func startsOverOnceThePeerIsReached() {
        var backoff = ReconnectBackoff(initial: .milliseconds(500))
        _ = backoff.failed()
        _ = backoff.failed()
        #expect(backoff.reached() == .milliseconds(500))
        #expect(backoff.failures == 0)
        #expect(backoff.failed() == .milliseconds(500))
    }

    @Test func neverOverflowsAfterManyFailures() {
        var backoff = ReconnectBackoff(initial: .seconds(1))
        for _ in 0..<10_000 { _ = backoff.failed() }
        #expect(backoff.failed() == .seconds(30))
    }
}
