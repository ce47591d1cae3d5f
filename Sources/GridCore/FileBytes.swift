#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads small files whole, failing with the OS's own words (`strerror(errno)`), which Foundation's errors lose.
public enum FileBytes {
    /// Why a file could not be read: a clause such as "No such file or directory" or "it is larger than 1024 bytes".
    public struct ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// The contents of the regular file at `path`, refusing files larger than `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(ReadError) -> [UInt8] {
        // O_NONBLOCK so that opening a FIFO returns at once (to be refused below) instead of waiting for a writer;
        // it changes nothing for a regular file.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw ReadError(reason: lastErrorText()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ReadError(reason: lastErrorText()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw ReadError(reason: "it is not a regular file") }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return contents }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: lastErrorText())
            }
            contents.append(contentsOf: chunk[..<count])
            guard contents.count <= limit else { throw ReadError(reason: "it is larger than \(limit) bytes") }
        }
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
