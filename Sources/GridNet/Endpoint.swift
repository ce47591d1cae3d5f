/// A TCP address written `host:port`, such as `127.0.0.1:7700`, `localhost:7700` or `[::1]:7700`.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; IPv6 hosts go in brackets. Throws a `NetError` naming the bad text.
    public init(parsing text: String) throws(NetError) {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw NetError.badEndpoint(text, reason: "it is empty") }
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw NetError.badEndpoint(text, reason: "the '[' before an IPv6 host has no matching ']'")
            }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.first == ":" else {
                throw NetError.badEndpoint(text, reason: "the port is missing after ']' (write [host]:port)")
            }
            portText = rest.dropFirst()
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else {
                throw NetError.badEndpoint(text, reason: "the port is missing (write host:port, like 127.0.0.1:7700)")
            }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            guard !host.contains(":") else {
                throw NetError.badEndpoint(text, reason: "an IPv6 host must be written in brackets, like [::1]:7700")
            }
        }
        guard !host.isEmpty else { throw NetError.badEndpoint(text, reason: "the host is empty") }
        guard !host.contains(where: { $0.isWhitespace }) else {
            throw NetError.badEndpoint(text, reason: "the host contains a space")
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), port <= 65535 else {
            throw NetError.badEndpoint(text, reason: "the port '\(portText)' is not a number from 0 to 65535")
        }
        self.init(host: String(host), port: port)
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return s
    }
}
