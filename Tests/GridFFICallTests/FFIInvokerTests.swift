import GridFFICall
import GridTestKit
import Testing

/// The fixture library, compiled once per test process.
let fixtureLibrary: String = {
    let folder = try! TemporaryFolder("grid-ffi-call")
    return try! CLibrary.compile(CLibrary.ffiFixtureSource, named: "libffifixture.so", in: folder.path)
}()

/// Calls `symbol` of the fixture library through libffi.
func callFixture(_ symbol: String, returns: FFIScalarType?, _ arguments: [FFIArgument]) throws -> FFIRawResult {
    var invoker = FFIInvoker()
    let plan = FFICallPlan(library: fixtureLibrary, symbol: symbol, returns: returns, arguments: arguments)
    // Every call also goes through the wire encoding, as it will between worker and runner.
    let decoded = try FFICallPlan(decoding: plan.encode())
    #expect(decoded == plan)
    let result = try invoker.call(decoded)
    #expect(try FFIRawResult(decoding: result.encode()) == result)
    return result
}

@Suite("libffi calls")
struct FFIInvokerTests {
    @Test("every integer width and signedness passes and returns through a real call, at its limits")
    func integers() throws {
        #expect(try callFixture("negate_i8", returns: .int8, [.value(.int8(-127))]).returnValue == .int8(127))
        #expect(try callFixture("negate_i8", returns: .int8, [.value(.int8(5))]).returnValue == .int8(-5))
        #expect(try callFixture("add_i16", returns: .int16, [.value(.int16(-32768)), .value(.int16(1))])
            .returnValue == .int16(-32767))
        #expect(try callFixture("add_i32", returns: .int32, [.value(.int32(Int32.max)), .value(.int32(-1))])
            .returnValue == .int32(Int32.max - 1))
        #expect(try callFixture("add_i64", returns: .int64, [.value(.int64(Int64.min)), .value(.int64(7))])
            .returnValue == .int64(Int64.min + 7))
        #expect(try callFixture("add_u8", returns: .uint8, [.value(.uint8(250)), .value(.uint8(5))])
            .returnValue == .uint8(255))
        #expect(try callFixture("add_u8", returns: .uint8, [.value(.uint8(250)), .value(.uint8(10))])
            .returnValue == .uint8(4))
        #expect(try callFixture("add_u16", returns: .uint16, [.value(.uint16(65000)), .value(.uint16(535))])
            .returnValue == .uint16(65535))
        #expect(try callFixture("add_u32", returns: .uint32, [.value(.uint32(UInt32.max)), .value(.uint32(0))])
            .returnValue == .uint32(UInt32.max))
        #expect(try callFixture("add_u64", returns: .uint64, [.value(.uint64(UInt64.max - 1)), .value(.uint64(1))])
            .returnValue == .uint64(UInt64.max))
    }

    @Test("float and double, and eight mixed arguments in one call")
    func floatingPoint() throws {
        #expect(try callFixture("mul_f", returns: .float, [.value(.float(1.5)), .value(.float(-2))]).returnValue
            == .float(-3))
        #expect(try callFixture("div_d", returns: .double, [.value(.double(1)), .value(.double(3))]).returnValue
            == .double(1.0 / 3.0))
        let mixed = try callFixture("mixed", returns: .double, [
            .value(.int8(-1)), .value(.uint16(2)), .value(.int32(-3)), .value(.int64(4)), .value(.float(0.5)),
            .value(.double(0.25)), .value(.uint8(6)), .value(.int16(-7)),
        ])
        #expect(mixed.returnValue == .double(1.75))
    }

    @Test("strings arrive NUL-terminated; buffers arrive with their bytes; empty ones are valid pointers")
    func stringsAndBuffers() throws {
        #expect(try callFixture("string_length", returns: .uint64, [.string(Array("héllo".utf8))]).returnValue
            == .uint64(6))
        #expect(try callFixture("string_length", returns: .uint64, [.string([])]).returnValue == .uint64(0))
        #expect(try callFixture("starts_with_hello", returns: .int32, [.string(Array("hello you".utf8))])
            .returnValue == .int32(1))
        let bytes: [UInt8] = [1, 2, 3, 250]
        #expect(try callFixture("byte_sum", returns: .uint64, [.bytes(bytes), .value(.uint32(4))]).returnValue
            == .uint64(256))
        #expect(try callFixture("byte_sum", returns: .uint64, [.bytes([]), .value(.uint32(0))]).returnValue
            == .uint64(0))
        #expect(try callFixture("last_byte", returns: .uint8, [.bytes(bytes), .value(.uint8(4))]).returnValue
            == .uint8(250))
    }

    @Test("output buffers come back with what the function wrote, zeroed where it wrote nothing")
    func outputs() throws {
        let reversed = try callFixture("reverse_into", returns: nil, [
            .bytes([1, 2, 3]), .value(.uint64(3)), .output(size: 5), .value(.uint64(5)),
        ])
        #expect(reversed.returnValue == nil)
        #expect(reversed.outputs == [[3, 2, 1, 0, 0]])
        let letters = try callFixture("fill_letters", returns: .int32, [.output(size: 28), .value(.int32(28))])
        #expect(letters.returnValue == .int32(28))
        #expect(letters.outputs == [Array("abcdefghijklmnopqrstuvwxyzab".utf8)])
        let greeting = try callFixture("write_greeting", returns: nil, [.string(Array("ada".utf8)), .output(size: 8)])
        #expect(greeting.outputs == [Array("hi ada".utf8) + [0, 0]])
    }

    @Test("void functions with no arguments run, and state persists in the library an invoker keeps open")
    func voidCalls() throws {
        var invoker = FFIInvoker()
        let bump = FFICallPlan(library: fixtureLibrary, symbol: "bump", returns: nil, arguments: [])
        let counted = FFICallPlan(library: fixtureLibrary, symbol: "counted", returns: .int32, arguments: [])
        let before = try invoker.call(counted).returnValue?.int64Value ?? -1
        #expect(try invoker.call(bump) == FFIRawResult(returnValue: nil, outputs: []))
        _ = try invoker.call(bump)
        #expect(try invoker.call(counted).returnValue?.int64Value == before + 2)
    }

    @Test("a missing library gives the loader's reason; an unknown symbol names the symbol and the library")
    func loadFailures() throws {
        var invoker = FFIInvoker()
        let missing = FFICallPlan(library: "libgrid-does-not-exist.so.9", symbol: "f", returns: nil, arguments: [])
        let libraryError = try #require(throws: FFICallError.self) { try invoker.call(missing) }
        #expect(libraryError.kind == .libraryNotLoaded)
        #expect(libraryError.description.contains("libgrid-does-not-exist.so.9"))
        #expect(libraryError.description.contains("cannot open shared object file"))

        let unknown = FFICallPlan(library: fixtureLibrary, symbol: "no_such_function", returns: nil, arguments: [])
        let symbolError = try #require(throws: FFICallError.self) { try invoker.call(unknown) }
        #expect(symbolError.kind == .symbolNotFound)
        #expect(symbolError.description.contains("no_such_function"))
        #expect(symbolError.description.contains("undefined symbol"))
    }

    @Test("a library opened by soname: zlib's crc32 of the standard check string")
    func soname() throws {
        let library = try FFILibrary(opening: "libz.so.1")
        let plan = FFICallPlan(library: "libz.so.1", symbol: "crc32", returns: .uint64,
                               arguments: [.value(.uint64(0)), .bytes(Array("123456789".utf8)), .value(.uint32(9))])
        #expect(try FFIInvoker.call(plan, in: library).returnValue == .uint64(0xCBF4_3926))
    }
}
