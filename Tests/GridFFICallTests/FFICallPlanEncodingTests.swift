import GridFFICall
import GridTestKit
import Testing

@Suite("Call plan and result encoding")
struct FFICallPlanEncodingTests {
    static let plan = FFICallPlan(
        library: "/opt/lib/libx.so", symbol: "f", returns: .int16,
        arguments: [
            .value(.int8(-1)), .value(.int16(-2)), .value(.int32(-3)), .value(.int64(Int64.min)),
            .value(.uint8(255)), .value(.uint16(65535)), .value(.uint32(7)), .value(.uint64(UInt64.max)),
            .value(.float(-0.5)), .value(.double(.pi)), .string(Array("é".utf8)), .bytes([0, 1, 0]),
            .bytes([]), .output(size: 64),
        ])

    @Test("every argument kind and value survives encode and decode")
    func roundTrip() throws {
        #expect(try FFICallPlan(decoding: Self.plan.encode()) == Self.plan)
        let void = FFICallPlan(library: "libm.so.6", symbol: "g", returns: nil, arguments: [])
        #expect(try FFICallPlan(decoding: void.encode()) == void)
        let result = FFIRawResult(returnValue: .double(-0.0), outputs: [[], [1, 2, 3]])
        #expect(try FFIRawResult(decoding: result.encode()) == result)
        let nan = try FFIRawResult(decoding: FFIRawResult(returnValue: .float(.nan), outputs: []).encode())
        guard case .float(let value)? = nan.returnValue else { Issue.record("not a float"); return }
        #expect(value.isNaN)
    }

    @Test("every truncation of an encoded plan is refused, and so are trailing bytes")
    func truncated() throws {
        let bytes = Self.plan.encode()
        for length in 0..<bytes.count {
            #expect(throws: FFIEncodingError.self) { try FFICallPlan(decoding: Array(bytes[..<length])) }
        }
        let trailing = try #require(throws: FFIEncodingError.self) { try FFICallPlan(decoding: bytes + [0]) }
        #expect(trailing.description.contains("1 bytes follow its end"))
        let result = FFIRawResult(returnValue: .int32(1), outputs: [[9]]).encode()
        for length in 0..<result.count {
            #expect(throws: FFIEncodingError.self) { try FFIRawResult(decoding: Array(result[..<length])) }
        }
    }

    @Test("other versions, unknown tags, NUL in strings and oversized outputs are refused")
    func invalid() throws {
        var other = Self.plan.encode()
        other[4] = 2
        #expect(try #require(throws: FFIEncodingError.self) { try FFICallPlan(decoding: other) }
            .description.contains("version 1"))
        let withNUL = FFICallPlan(library: "l", symbol: "s", returns: nil, arguments: [.string([104, 0, 105])])
        #expect(try #require(throws: FFIEncodingError.self) { try FFICallPlan(decoding: withNUL.encode()) }
            .description.contains("NUL"))
        let huge = FFICallPlan(library: "l", symbol: "s", returns: nil,
                               arguments: [.output(size: FFICallPlan.maximumOutputSize + 1)])
        #expect(throws: FFIEncodingError.self) { try FFICallPlan(decoding: huge.encode()) }
        var badReturn = FFICallPlan(library: "l", symbol: "s", returns: nil, arguments: []).encode()
        badReturn[5 + 4 + 1 + 4 + 1] = 99
        #expect(throws: FFIEncodingError.self) { try FFICallPlan(decoding: badReturn) }
    }

    @Test("random plans round-trip")
    func randomPlans() throws {
        var random = SeededRandom(seed: 11)
        for _ in 0..<200 {
            var arguments: [FFIArgument] = []
            for _ in 0..<Int.random(in: 0...8, using: &random) {
                let type = FFIScalarType.allCases.randomElement(using: &random)!
                switch Int.random(in: 0...3, using: &random) {
                case 0: arguments.append(.value(randomValue(type, &random)))
                case 1: arguments.append(.string((0..<Int.random(in: 0...9, using: &random)).map { _ in
                    UInt8.random(in: 1...255, using: &random) }))
                case 2: arguments.append(.bytes((0..<Int.random(in: 0...9, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random) }))
                default: arguments.append(.output(size: Int.random(in: 0...4096, using: &random)))
                }
            }
            let plan = FFICallPlan(library: "libr.so", symbol: "r", returns: FFIScalarType.allCases.randomElement(
                using: &random), arguments: arguments)
            #expect(try FFICallPlan(decoding: plan.encode()) == plan)
        }
    }

    private func randomValue(_ type: FFIScalarType, _ random: inout SeededRandom) -> FFIValue {
        let bits = UInt64.random(in: 0...UInt64.max, using: &random)
        switch type {
        case .float: return .float(Float(Int32(truncatingIfNeeded: bits)) / 7)
        case .double: return .double(Double(Int64(bitPattern: bits)) / 3)
        default: return FFIValue.integer(bits & type.maximum, as: type)!
        }
    }
}
