import GridFFICall
import GridTestKit
import Testing

/// The runner's side (`serve`) and the worker's side (`FFIReply(decoding:)`) of one call.
@Suite("FFI replies")
struct FFIReplyTests {
    @Test("a served plan comes back as its result")
    func result() throws {
        var invoker = FFIInvoker()
        let plan = FFICallPlan(library: "libz.so.1", symbol: "crc32", returns: .uint64,
                               arguments: [.value(.uint64(0)), .bytes(Array("hello".utf8)), .value(.uint32(5))])
        let reply = try FFIReply(decoding: invoker.serve(plan.encode()))
        #expect(try reply.get() == FFIRawResult(returnValue: .uint64(907_060_870), outputs: []))
        let withOutputs = FFIReply.result(FFIRawResult(returnValue: nil, outputs: [[1, 2], []]))
        #expect(try FFIReply(decoding: withOutputs.encode()) == withOutputs)
    }

    @Test("load failures and undecodable plans come back as the same errors, with their reasons")
    func failures() throws {
        var invoker = FFIInvoker()
        let missing = FFICallPlan(library: "libgrid-nowhere.so.1", symbol: "f", returns: nil, arguments: [])
        let libraryReply = try FFIReply(decoding: invoker.serve(missing.encode()))
        let libraryError = try #require(throws: FFICallError.self) { try libraryReply.get() }
        #expect(libraryError.kind == .libraryNotLoaded)
        #expect(libraryError.description.contains("libgrid-nowhere.so.1"))

        let unknown = FFICallPlan(library: "libm.so.6", symbol: "no_such_erf", returns: .double, arguments: [])
        let symbolReply = try FFIReply(decoding: invoker.serve(unknown.encode()))
        let symbolError = try #require(throws: FFICallError.self) { try symbolReply.get() }
        #expect(symbolError.kind == .symbolNotFound)
        #expect(symbolError.description.contains("no_such_erf"))
        // The error crosses the process boundary unchanged.
        let direct = try #require(throws: FFICallError.self) { try invoker.call(unknown) }
        #expect(symbolError == direct)

        let garbage = try FFIReply(decoding: invoker.serve([1, 2, 3]))
        let garbageError = try #require(throws: FFICallError.self) { try garbage.get() }
        #expect(garbageError.kind == .invalidCall)
        #expect(garbageError.description.contains("could not be decoded"))
    }

    @Test("truncated or foreign replies are refused")
    func badReplies() throws {
        let bytes = FFIReply.failure(try #require(throws: FFICallError.self) {
            try FFILibrary(opening: "libgrid-nowhere.so.2")
        }).encode()
        for length in 0..<bytes.count {
            #expect(throws: FFIEncodingError.self) { try FFIReply(decoding: Array(bytes[..<length])) }
        }
        #expect(throws: FFIEncodingError.self) { try FFIReply(decoding: bytes + [0]) }
    }
}
