/// The memory behind one call's arguments: a slot per argument holding its value (or its pointer), the data the
/// pointers point to, and the `void *` array libffi reads. Freed by `release()`.
struct CallFrame {
    /// libffi's argument array: the address of each argument's slot.
    let values: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// One 8-byte slot per argument.
    private let slots: UnsafeMutableRawPointer
    /// The private copies of strings and buffers, and the output buffers, each with its size.
    private var blocks: [(pointer: UnsafeMutableRawPointer, size: Int, isOutput: Bool)] = []
    private let count: Int

    init(arguments: [FFIArgument]) {
        count = arguments.count
        values = .allocate(capacity: max(count, 1))
        slots = .allocate(byteCount: max(count, 1) * 8, alignment: 8)
        slots.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * 8)
        for (index, argument) in arguments.enumerated() {
            let slot = slots + index * 8
            values[index] = slot
            switch argument {
            case .value(let value):
                Self.store(value, in: slot)
            case .string(let text):
                slot.storeBytes(of: block(copying: text + [0], isOutput: false), as: UnsafeMutableRawPointer.self)
            case .bytes(let bytes):
                slot.storeBytes(of: block(copying: bytes, isOutput: false), as: UnsafeMutableRawPointer.self)
            case .output(let size):
                slot.storeBytes(of: block(zeroed: size, isOutput: true), as: UnsafeMutableRawPointer.self)
            }
        }
    }

    /// A new block holding `bytes` (at least one byte, so the pointer is never NULL).
    private mutating func block(copying bytes: [UInt8], isOutput: Bool) -> UnsafeMutableRawPointer {
        let pointer = block(zeroed: bytes.count, isOutput: isOutput)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
        return pointer
    }

    /// A new block of `size` zero bytes (at least one byte, so the pointer is never NULL).
    private mutating func block(zeroed size: Int, isOutput: Bool) -> UnsafeMutableRawPointer {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(size, 1))
        blocks.append((pointer, size, isOutput))
        return pointer
    }

    private static func store(_ value: FFIValue, in slot: UnsafeMutableRawPointer) {
        switch value {
        case .int8(let v): slot.storeBytes(of: v, as: Int8.self)
        case .int16(let v): slot.storeBytes(of: v, as: Int16.self)
        case .int32(let v): slot.storeBytes(of: v, as: Int32.self)
        case .int64(let v): slot.storeBytes(of: v, as: Int64.self)
        case .uint8(let v): slot.storeBytes(of: v, as: UInt8.self)
        case .uint16(let v): slot.storeBytes(of: v, as: UInt16.self)
        case .uint32(let v): slot.storeBytes(of: v, as: UInt32.self)
        case .uint64(let v): slot.storeBytes(of: v, as: UInt64.self)
        case .float(let v): slot.storeBytes(of: v, as: Float.self)
        case .double(let v): slot.storeBytes(of: v, as: Double.self)
        }
    }

    /// The contents of the output buffers, in argument order.
    func outputBytes() -> [[UInt8]] {
        blocks.filter(\.isOutput).map { block in
            Array(UnsafeRawBufferPointer(start: block.pointer, count: block.size))
        }
    }

    /// Frees every allocation.
    mutating func release() {
        for block in blocks { block.pointer.deallocate() }
        blocks = []
        slots.deallocate()
        values.deallocate()
    }
}
