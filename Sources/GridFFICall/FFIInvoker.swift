import CFFI

/// Makes C calls described by `FFICallPlan`s through libffi, keeping the libraries it opened.
///
/// The plan is trusted to match the function's real C signature (the manifest's declaration); values are not
/// checked again here beyond the plan's limits. A copy shares the open libraries.
public struct FFIInvoker: Sendable {
    private var libraries: [String: FFILibrary] = [:]

    public init() {}

    /// Opens `plan.library` (once; later plans reuse it), resolves `plan.symbol` and calls it.
    public mutating func call(_ plan: FFICallPlan) throws(FFICallError) -> FFIRawResult {
        let library: FFILibrary
        if let open = libraries[plan.library] {
            library = open
        } else {
            library = try FFILibrary(opening: plan.library)
            libraries[plan.library] = library
        }
        return try Self.call(plan, in: library)
    }

    /// Resolves `plan.symbol` in `library` and calls it with the plan's arguments; `plan.library` is ignored.
    public static func call(_ plan: FFICallPlan, in library: FFILibrary) throws(FFICallError) -> FFIRawResult {
        let address = try library.address(of: plan.symbol)
        return try call(plan, at: address)
    }

    /// Calls the function at `address` as `plan` describes it.
    public static func call(_ plan: FFICallPlan, at address: UnsafeMutableRawPointer) throws(FFICallError)
        -> FFIRawResult
    {
        guard plan.arguments.count <= FFICallPlan.maximumArgumentCount else {
            throw .limit(plan.symbol, "it has \(plan.arguments.count) arguments, more than the "
                + "\(FFICallPlan.maximumArgumentCount) allowed")
        }
        if let size = plan.outputSizes.first(where: { $0 < 0 || $0 > FFICallPlan.maximumOutputSize }) {
            throw .limit(
                plan.symbol, "an output buffer of \(size) bytes is outside 0 to \(FFICallPlan.maximumOutputSize)")
        }
        var frame = CallFrame(arguments: plan.arguments)
        defer { frame.release() }

        let count = plan.arguments.count
        let types = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: max(count, 1))
        defer { types.deallocate() }
        for (index, argument) in plan.arguments.enumerated() { types[index] = Self.ffiType(of: argument) }
        let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        defer { cif.deallocate() }
        let returnType = plan.returns.map(Self.ffiType(of:)) ?? grid_ffi_type_void()
        let status = ffi_prep_cif(cif, grid_ffi_default_abi(), UInt32(count), returnType, types)
        guard status == FFI_OK else { throw .prepareFailed(plan.symbol, status: status.rawValue) }

        // ffi_call widens integer results narrower than ffi_arg to a whole ffi_arg, so the space holds at least one.
        let returnSpace = UnsafeMutableRawPointer.allocate(byteCount: max(16, grid_ffi_arg_size()), alignment: 16)
        defer { returnSpace.deallocate() }
        returnSpace.initializeMemory(as: UInt8.self, repeating: 0, count: max(16, grid_ffi_arg_size()))
        let function = unsafeBitCast(address, to: (@convention(c) () -> Void).self)
        ffi_call(cif, function, returnSpace, frame.values)

        return FFIRawResult(
            returnValue: plan.returns.map { Self.readReturn(returnSpace, as: $0) },
            outputs: frame.outputBytes()
        )
    }

    private static func ffiType(of argument: FFIArgument) -> UnsafeMutablePointer<ffi_type> {
        switch argument {
        case .value(let value): return ffiType(of: value.type)
        case .string, .bytes, .output: return grid_ffi_type_pointer()
        }
    }

    private static func ffiType(of type: FFIScalarType) -> UnsafeMutablePointer<ffi_type> {
        switch type {
        case .int8: return grid_ffi_type_sint8()
        case .int16: return grid_ffi_type_sint16()
        case .int32: return grid_ffi_type_sint32()
        case .int64: return grid_ffi_type_sint64()
        case .uint8: return grid_ffi_type_uint8()
        case .uint16: return grid_ffi_type_uint16()
        case .uint32: return grid_ffi_type_uint32()
        case .uint64: return grid_ffi_type_uint64()
        case .float: return grid_ffi_type_float()
        case .double: return grid_ffi_type_double()
        }
    }

    /// The return value of `type` that ffi_call left in `space`.
    private static func readReturn(_ space: UnsafeMutableRawPointer, as type: FFIScalarType) -> FFIValue {
        switch type {
        case .float:
            return .float(space.load(as: Float.self))
        case .double:
            return .double(space.load(as: Double.self))
        default:
            // A whole ffi_arg, truncated to the type's width (correct on either byte order).
            let bits = grid_ffi_arg_size() >= 8 ? space.load(as: UInt64.self) : UInt64(space.load(as: UInt32.self))
            return FFIValue(type: type, bits: bits)
        }
    }
}

extension FFIInvoker {
    /// The runner's whole job for one request: decodes the plan in `request`, makes the call and encodes the reply
    /// (the result, or the reason no call was made). Never throws: every failure is in the reply.
    public mutating func serve(_ request: [UInt8]) -> [UInt8] {
        let reply: FFIReply
        do {
            let plan = try FFICallPlan(decoding: request)
            do {
                reply = .result(try call(plan))
            } catch {
                reply = .failure(error)
            }
        } catch {
            reply = .failure(.undecodablePlan(error))
        }
        return reply.encode()
    }
}
