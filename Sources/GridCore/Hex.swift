/// Lowercase hexadecimal encoding for keys, hashes and ids.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let count = bytes.count * 2
        guard count > 0 else { return "" }
        return digits.withUnsafeBufferPointer { digits in
            String(unsafeUninitializedCapacity: count) { out in
                var index = 0
                for byte in bytes {
                    out[index] = digits[Int(byte >> 4)]
                    out[index + 1] = digits[Int(byte & 0x0f)]
                    index += 2
                }
                return count
            }
        }
    }

    /// Decodes hex (either case); nil when the text is not an even-length hex string.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(utf8: $0) }
    }

    /// Decodes hex digits given as UTF-8 bytes (either case), as read from a database column; nil when they are not
    /// an even number of hex digits.
    public static func decode(utf8 text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var valid = true
        let bytes = [UInt8](unsafeUninitializedCapacity: text.count / 2) { out, initialized in
            for index in 0..<out.count {
                guard let hi = value(text[2 * index]), let lo = value(text[2 * index + 1]) else {
                    valid = false
                    break
                }
                out[index] = hi << 4 | lo
                initialized = index + 1
            }
        }
        return valid ? bytes : nil
    }

    /// Whether `text` is exactly `encode(bytes)`: lowercase hex of these bytes, nothing else.
    public static func isEncoding(of bytes: [UInt8], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == bytes.count * 2 else { return false }
        for (index, byte) in bytes.enumerated()
        where text[2 * index] != digits[Int(byte >> 4)] || text[2 * index + 1] != digits[Int(byte & 0x0f)] {
            return false
        }
        return true
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
