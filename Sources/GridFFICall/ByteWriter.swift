/// Appends little-endian integers and length-prefixed byte strings, for the plan and result encodings.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func uint32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func uint64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// A 32-bit length followed by the bytes.
    mutating func blob<Bytes: Collection<UInt8>>(_ value: Bytes) {
        uint32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func raw(_ value: [UInt8]) {
        bytes.append(contentsOf: value)
    }
}
