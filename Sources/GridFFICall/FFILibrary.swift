import CFFI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A shared library opened with `dlopen`, closed when the last reference goes away.
///
/// Symbols are resolved with `dlsym`, and every failure carries `dlerror()`'s text, read at once.
public final class FFILibrary: @unchecked Sendable {
    /// The soname or path it was opened with.
    public let name: String
    /// The `dlopen` handle; immutable, and `dlsym` may be called from any thread.
    private let handle: UnsafeMutableRawPointer

    /// Opens `name`: a soname such as `libz.so.1` is searched like the dynamic loader does, a name with a slash is
    /// opened as a path. Throws the loader's reason when it cannot be opened.
    public init(opening name: String) throws(FFICallError) {
        _ = dlerror()
        guard !name.utf8.contains(0), let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            throw .libraryNotLoaded(name, dlerror: Self.takeDLError())
        }
        self.name = name
        self.handle = handle
    }

    deinit {
        dlclose(handle)
    }

    /// The address of the exported `symbol`, or an error naming the symbol and the library with the loader's reason.
    public func address(of symbol: String) throws(FFICallError) -> UnsafeMutableRawPointer {
        _ = dlerror()
        guard !symbol.utf8.contains(0), let address = dlsym(handle, symbol) else {
            throw .symbolNotFound(symbol, library: name, dlerror: Self.takeDLError())
        }
        return address
    }

    /// The pending `dlerror()` text, read before anything else can replace it.
    private static func takeDLError() -> String {
        guard let message = dlerror() else { return "no reason given by the dynamic loader" }
        return String(cString: message)
    }
}
