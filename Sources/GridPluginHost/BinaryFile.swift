#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a plugin file whole, with the OS's reason on failure (the bytes are hashed before `dlopen`).
enum BinaryFile {
    /// The contents of the regular file at `path`.
    static func read(_ path: String) throws(PluginLoadFailure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path, reason: lastErrorText()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path, reason: lastErrorText()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path, reason: "it is not a regular file")
        }
        var contents: [UInt8] = []
        contents.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path, reason: lastErrorText())
            }
            contents.append(contentsOf: chunk[..<count])
        }
        return contents
    }

    /// Whether `path` is a directory, or the OS's reason why it cannot be examined or is not one.
    static func checkDirectory(_ path: String) throws(PluginLoadFailure) {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .unreadable(path, reason: lastErrorText()) }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw .unreadable(path, reason: "it is not a directory")
        }
    }

    /// `strerror(errno)`, for reasons.
    static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
