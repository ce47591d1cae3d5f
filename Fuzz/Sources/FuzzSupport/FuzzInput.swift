/// Reads a fuzzer's input as a sequence of parts: a byte to choose a mode, length-prefixed pieces, the rest.
///
/// Running out of bytes is never an error: a harness takes what there is, so every input means something.
public struct FuzzInput {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The input libFuzzer passes to `LLVMFuzzerTestOneInput`.
    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        if let data, size > 0 {
            self.init(Array(UnsafeBufferPointer(start: data, count: size)))
        } else {
            self.init([])
        }
    }

    /// True when every byte has been taken.
    public var isEmpty: Bool { offset >= bytes.count }

    /// The next byte, or 0 at the end.
    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A piece: a big-endian u16 length, then up to that many bytes.
    public mutating func piece() -> [UInt8] {
        let length = Int(byte()) << 8 | Int(byte())
        return take(length)
    }

    /// Up to `count` bytes.
    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    /// Every byte not yet taken.
    public mutating func rest() -> [UInt8] {
        take(bytes.count - offset)
    }

    /// Encodes pieces the way `piece()` reads them (for writing seeds).
    public static func pieces(_ parts: [[UInt8]]) -> [UInt8] {
        parts.flatMap { [UInt8(truncatingIfNeeded: $0.count >> 8), UInt8(truncatingIfNeeded: $0.count)] + $0 }
    }
}
