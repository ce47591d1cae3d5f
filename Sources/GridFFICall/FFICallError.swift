/// Why a C call through libffi could not be made: the library or symbol is missing, or libffi refused the signature.
///
/// Loading failures carry the dynamic loader's own words (`dlerror()`).
public struct FFICallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad class of a failure.
    public enum Kind: Sendable, Hashable {
        /// `dlopen` could not open the library.
        case libraryNotLoaded
        /// The library does not export the symbol.
        case symbolNotFound
        /// libffi refused the call interface, the plan breaks a limit, or the plan's bytes did not decode.
        case invalidCall
    }

    private enum Code: Sendable, Hashable {
        case libraryNotLoaded(library: String, dlerror: String)
        case symbolNotFound(symbol: String, library: String, dlerror: String)
        case prepareFailed(symbol: String, status: UInt32)
        case limit(symbol: String, reason: String)
        case undecodablePlan(reason: String)
    }

    private let code: Code

    static func libraryNotLoaded(_ library: String, dlerror: String) -> Self {
        Self(code: .libraryNotLoaded(library: library, dlerror: dlerror))
    }
    static func symbolNotFound(_ symbol: String, library: String, dlerror: String) -> Self {
        Self(code: .symbolNotFound(symbol: symbol, library: library, dlerror: dlerror))
    }
    static func prepareFailed(_ symbol: String, status: UInt32) -> Self {
        Self(code: .prepareFailed(symbol: symbol, status: status))
    }
    static func limit(_ symbol: String, _ reason: String) -> Self { Self(code: .limit(symbol: symbol, reason: reason)) }
    static func undecodablePlan(_ error: FFIEncodingError) -> Self {
        Self(code: .undecodablePlan(reason: error.description))
    }

    /// The class of failure.
    public var kind: Kind {
        switch code {
        case .libraryNotLoaded: return .libraryNotLoaded
        case .symbolNotFound: return .symbolNotFound
        case .prepareFailed, .limit, .undecodablePlan: return .invalidCall
        }
    }

    public var description: String {
        switch code {
        case .libraryNotLoaded(let library, let dlerror):
            return "The library \(library) could not be loaded: \(dlerror)."
        case .symbolNotFound(let symbol, let library, let dlerror):
            return "The library \(library) does not export the symbol \(symbol): \(dlerror)."
        case .prepareFailed(let symbol, let status):
            return "libffi refused the call interface of \(symbol) (ffi_prep_cif returned status \(status))."
        case .limit(let symbol, let reason):
            return "The call to \(symbol) was not made: \(reason)."
        case .undecodablePlan(let reason):
            return "No call was made because the call plan could not be decoded: \(reason)"
        }
    }
}

extension FFICallError {
    /// Writes the error for `FFIReply`: a tag and the fields, so the other process rebuilds the same error.
    func write(to writer: inout ByteWriter) {
        switch code {
        case .libraryNotLoaded(let library, let dlerror):
            writer.byte(1)
            writer.blob(Array(library.utf8))
            writer.blob(Array(dlerror.utf8))
        case .symbolNotFound(let symbol, let library, let dlerror):
            writer.byte(2)
            writer.blob(Array(symbol.utf8))
            writer.blob(Array(library.utf8))
            writer.blob(Array(dlerror.utf8))
        case .prepareFailed(let symbol, let status):
            writer.byte(3)
            writer.blob(Array(symbol.utf8))
            writer.uint32(status)
        case .limit(let symbol, let reason):
            writer.byte(4)
            writer.blob(Array(symbol.utf8))
            writer.blob(Array(reason.utf8))
        case .undecodablePlan(let reason):
            writer.byte(5)
            writer.blob(Array(reason.utf8))
        }
    }

    /// Reads what `write(to:)` wrote.
    static func read(from reader: inout ByteReader) throws(FFIEncodingError) -> FFICallError {
        func text(_ reader: inout ByteReader) throws(FFIEncodingError) -> String {
            String(decoding: try reader.blob(), as: UTF8.self)
        }
        switch try reader.byte() {
        case 1: return .libraryNotLoaded(try text(&reader), dlerror: try text(&reader))
        case 2: return .symbolNotFound(try text(&reader), library: try text(&reader), dlerror: try text(&reader))
        case 3: return .prepareFailed(try text(&reader), status: try reader.uint32())
        case 4: return .limit(try text(&reader), try text(&reader))
        case 5: return FFICallError(code: .undecodablePlan(reason: try text(&reader)))
        case let tag: throw .invalid("call reply", "its error tag \(tag) is unknown")
        }
    }
}
