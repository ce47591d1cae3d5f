import GridCrypto
import Testing
@testable import GridNet

/// `SecureConnection.send(contentsOf:)`: several frames written with one flush.
@Suite("Sending many frames at once")
struct SendManyTests {
    static func numbered(_ i: Int) -> [UInt8] {
        Array("frame \(i) ".utf8) + [UInt8](repeating: UInt8(i), count: i * 37)
    }

    @Test func framesArriveWholeAndInOrder() async throws {
        let count = 200
        try await withListener { listener in
            let received = try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection in
                try await connection.send(contentsOf: (0..<count / 2).map(Self.numbered))
                try await connection.send(contentsOf: (count / 2..<count).map(Self.numbered))
                var replies: [[UInt8]] = []
                for _ in 0..<count {
                    replies.append(try #require(try await connection.receive()))
                }
                return replies
            }
            #expect(received == (0..<count).map(Self.numbered))
        }
    }

    @Test func oneOrNoPayloadIsFine() async throws {
        try await withListener { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection in
                try await connection.send(contentsOf: [])
                try await connection.send(contentsOf: [[7]])
                #expect(try await connection.receive() == [7])
            }
        }
    }

    @Test func oneMessageAboveTheLimitSendsNothing() async throws {
        let configuration = NetConfiguration(maxFrameSize: 1024)
        try await withListener(configuration: configuration) { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), configuration: configuration,
                logger: LogStore().logger
            ) { connection in
                await #expect(throws: NetError.frameTooLarge(size: 1025, max: 1024)) {
                    try await connection.send(contentsOf: [[1], [UInt8](repeating: 1, count: 1009), [3]])
                }
                // Nothing of the refused batch was sent: the next frame is the first the echo returns.
                try await connection.send(contentsOf: [[4], [5]])
                #expect(try await connection.receive() == [4])
                #expect(try await connection.receive() == [5])
            }
        }
    }
}
