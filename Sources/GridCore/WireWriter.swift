import Foundation

/// Appends the primitives of PeerGrid's binary messages (docs/wire.md, "Binary messages"): big-endian integers,
/// length-prefixed byte strings, presence bytes for optional fields.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 128) {
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func write(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Int) {
        write(Int64(value))
    }

    /// A `UInt32` length, then the bytes.
    mutating func write(bytes value: some Collection<UInt8>) {
        write(UInt32(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    mutating func write(data value: Data) {
        write(UInt32(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    mutating func write(string value: String) {
        var value = value
        value.withUTF8 { write(bytes: $0) }
    }

    /// 0 when absent, else 1 and the value.
    mutating func write<T>(optional value: T?, _ body: (inout WireWriter, T) -> Void) {
        guard let value else {
            write(UInt8(0))
            return
        }
        write(UInt8(1))
        body(&self, value)
    }

    /// An optional flag in one byte: 0 absent, 1 false, 2 true.
    mutating func write(optionalFlag value: Bool?) {
        write(UInt8(value.map { $0 ? 2 : 1 } ?? 0))
    }

    mutating func write(_ peer: PeerID) {
        bytes.append(contentsOf: peer.publicKey)
    }

    /// Appends raw bytes with no length (a nested message whose length was written before it).
    mutating func append(raw value: [UInt8]) {
        bytes.append(contentsOf: value)
    }
}
