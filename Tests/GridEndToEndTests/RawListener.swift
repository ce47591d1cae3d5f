#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A TCP listener on 127.0.0.1 that is not a matchmaker: it never answers, or answers anything with an HTTP error.
final class RawListener: @unchecked Sendable {
    enum Behaviour {
        /// Connections are completed by the kernel and never read or answered.
        case silent
        /// Every connection gets `HTTP/1.1 400 Bad Request` as soon as it sends something.
        case http
    }

    let port: Int
    private let fd: Int32

    init(_ behaviour: Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocket.Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw RawSocket.Failure(description: "could not listen on 127.0.0.1")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        if behaviour == .http {
            Thread.detachNewThread {
                while true {
                    let connection = accept(fd, nil, nil)
                    guard connection >= 0 else { return }  // the listener was closed
                    var buffer = [UInt8](repeating: 0, count: 1024)
                    _ = recv(connection, &buffer, buffer.count, 0)
                    let answer = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
                    _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    Glibc.close(connection)
                }
            }
        }
    }

    /// Stops listening (a thread blocked in accept wakes up and ends).
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}
