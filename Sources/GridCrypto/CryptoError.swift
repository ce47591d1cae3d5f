/// A failure of a cryptographic operation or of reading key material.
public struct CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case badKeyLength(what: String, expected: Int, got: Int)
        case decryptionFailed
        case keyExchangeFailed
        case badIdentityFile(path: String, reason: String)
    }

    private let code: Code

    public static func badKeyLength(_ what: String, expected: Int, got: Int) -> CryptoError {
        CryptoError(code: .badKeyLength(what: what, expected: expected, got: got))
    }
    public static let decryptionFailed = CryptoError(code: .decryptionFailed)
    public static let keyExchangeFailed = CryptoError(code: .keyExchangeFailed)
    public static func badIdentityFile(_ path: String, reason: String) -> CryptoError {
        CryptoError(code: .badIdentityFile(path: path, reason: reason))
    }

    public var description: String {
        switch code {
        case .badKeyLength(let what, let expected, let got):
            return "\(what) must be \(expected) bytes, got \(got)."
        case .decryptionFailed:
            return "A message failed authentication: it was altered, replayed or encrypted with another key."
        case .keyExchangeFailed:
            return "The key exchange failed: the peer's public key is not valid."
        case .badIdentityFile(let path, let reason):
            return "The identity file \(path) is unusable: \(reason)."
        }
    }
}
