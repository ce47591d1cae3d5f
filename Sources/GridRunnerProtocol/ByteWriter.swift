/// Appends little-endian integers and length-prefixed byte strings: the encoding of runner frames.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func write(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Int32) {
        write(UInt32(bitPattern: value))
    }

    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `UInt32` length, then the bytes.
    public mutating func write(bytes value: some Collection<UInt8>) {
        write(UInt32(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    /// A presence byte, then the bytes when present.
    public mutating func write(optionalBytes value: [UInt8]?) {
        write(value != nil)
        if let value { write(bytes: value) }
    }

    public mutating func write(string value: String) {
        write(bytes: value.utf8)
    }
}
