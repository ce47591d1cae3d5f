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
        /// libffi refused the call interface, or the plan breaks a limit.
        case invalidCall
    }

    private enum Code: Sendable, Hashable {
        case libraryNotLoaded(library: String, dlerror: String)
        case symbolNotFound(symbol: String, library: String, dlerror: String)
        case prepareFailed(symbol: String, status: UInt32)
        case limit(symbol: String, reason: String)
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

    /// The class of failure.
    public var kind: Kind {
        switch code {
        case .libraryNotLoaded: return .libraryNotLoaded
        case .symbolNotFound: return .symbolNotFound
        case .prepareFailed, .limit: return .invalidCall
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
        }
    }
}
