import NIOCore
import Testing
@testable import GridNet

/// A connection that cannot be opened says why, with the timeout it actually used (refusals: LoopbackTests).
@Suite struct ConnectFailureTests {
    @Test func aTimeoutNamesTheConnectTimeoutUsed() {
        let reason = GridConnector.reason(ChannelError.connectTimeout(.milliseconds(1500)),
                                          connectTimeout: .milliseconds(1500))
        #expect(reason == "it timed out after 1.5 seconds")
        let error = NetError.connectionFailed("10.0.0.1:7700", reason: reason)
        #expect(error.description == "Could not connect to 10.0.0.1:7700: it timed out after 1.5 seconds.")
    }
}
