import Testing
@testable import GridNet

@Suite struct EndpointTests {
    @Test(arguments: [
        ("127.0.0.1:7700", "127.0.0.1", 7700),
        ("localhost:0", "localhost", 0),
        ("[::1]:65535", "::1", 65535),
        ("  node-3.example:80 ", "node-3.example", 80),
    ])
    func parsesHostAndPort(text: String, host: String, port: Int) throws {
        let endpoint = try Endpoint(parsing: text)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(try Endpoint(parsing: endpoint.description) == endpoint)
    }

    @Test func describesIPv6WithBrackets() {
        #expect(Endpoint(host: "::1", port: 7700).description == "[::1]:7700")
        #expect(Endpoint(host: "10.0.0.1", port: 7700).description == "10.0.0.1:7700")
    }

    @Test(arguments: [
        ("", "empty"),
        ("127.0.0.1", "port is missing"),
        (":7700", "host is empty"),
        ("host:", "'' is not a number"),
        ("host:http", "'http' is not a number"),
        ("host:70000", "'70000' is not a number from 0 to 65535"),
        ("host:-1", "'-1' is not a number"),
        ("::1:7700", "IPv6 host must be written in brackets"),
        ("[::1", "no matching ']'"),
        ("[::1]7700", "port is missing after ']'"),
        ("my host:7700", "contains a space"),
    ])
    func rejectsBadTextNamingIt(text: String, reason: String) {
        do {
            _ = try Endpoint(parsing: text)
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect(error.description.hasPrefix("'\(text)' is not a host:port address: "))
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }
}
