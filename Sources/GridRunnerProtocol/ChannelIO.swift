#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Blocking reads and writes of whole buffers on a runner channel (a socket), shared by the worker and the runner.
public enum ChannelIO {
    /// Fills `buffer` from `descriptor`; false at the end of the channel or on an error (EINTR is retried).
    public static func readExactly(_ descriptor: Int32, into buffer: inout [UInt8]) -> Bool {
        let total = buffer.count
        return buffer.withUnsafeMutableBytes { raw in
            var filled = 0
            while filled < total {
                let count = read(descriptor, raw.baseAddress! + filled, total - filled)
                if count > 0 {
                    filled += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Writes all of `bytes` to the socket `descriptor` without raising SIGPIPE; false when the channel is gone.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let count = send(descriptor, raw.baseAddress! + written, raw.count - written, Int32(MSG_NOSIGNAL))
                if count > 0 {
                    written += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }
}
