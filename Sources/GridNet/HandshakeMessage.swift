import GridCrypto

/// The byte layout of the handshake messages (see docs/wire.md).
///
/// Every message starts with a 7-byte header: the magic `PGRD`, the protocol version (u16, big-endian) and a type.
enum HandshakeMessage {
    static let magic: [UInt8] = Array("PGRD".utf8)
    static let headerLength = 7
    static let randomLength = 32

    /// Message types, the header's last byte.
    enum Kind: UInt8 {
        case clientHello = 1
        case serverHello = 2
        case clientFinish = 3
        case reject = 0xFF

        var name: String {
            switch self {
            case .clientHello: return "client hello"
            case .serverHello: return "server hello"
            case .clientFinish: return "client finish"
            case .reject: return "reject"
            }
        }
    }

    /// Reasons a reject message carries.
    enum RejectReason: UInt8 {
        case unsupportedVersion = 1
        /// The server has as many connections as it allows.
        case tooManyConnections = 2
        /// The server has as many connections from the client's address as it allows.
        case tooManyFromAddress = 3
    }

    static let signingKeyLength = SigningKeyPair.publicKeyLength
    static let exchangeKeyLength = KeyExchangeKeyPair.publicKeyLength
    static let signatureLength = SigningKeyPair.signatureLength

    /// header + Ed25519 key + kx key + random.
    static let clientHelloLength = headerLength + signingKeyLength + exchangeKeyLength + randomLength
    /// header + Ed25519 key + kx key + random + signature.
    static let serverHelloLength = clientHelloLength + signatureLength
    /// header + signature.
    static let clientFinishLength = headerLength + signatureLength
    /// header + reason.
    static let rejectLength = headerLength + 1
    /// The longest handshake message (the server hello): no frame before the handshake finishes may be longer.
    static let maxLength = max(clientHelloLength, serverHelloLength, clientFinishLength, rejectLength)

    /// Domain-separation labels signed before each transcript hash.
    static let serverSignatureLabel: [UInt8] = Array("PeerGrid handshake v1 server signature".utf8) + [0]
    static let clientSignatureLabel: [UInt8] = Array("PeerGrid handshake v1 client signature".utf8) + [0]

    static func header(version: UInt16, kind: Kind) -> [UInt8] {
        magic + [UInt8(version >> 8), UInt8(version & 0xFF), kind.rawValue]
    }

    /// The header fields of a received message whose magic has been checked.
    struct Header {
        var version: UInt16
        var type: UInt8
    }

    /// Reads the header; throws when the message is too short to hold one or the magic is wrong.
    static func parseHeader(_ bytes: [UInt8], expecting: Kind, length: Int) throws(NetError) -> Header {
        guard bytes.count >= headerLength else {
            throw NetError.badLength(expecting.name, got: bytes.count, expected: length)
        }
        guard Array(bytes[0..<4]) == magic else { throw NetError.badMagic }
        return Header(version: UInt16(bytes[4]) << 8 | UInt16(bytes[5]), type: bytes[6])
    }

    static func clientHello(
        version: UInt16, signingKey: [UInt8], exchangeKey: [UInt8], random: [UInt8]
    ) -> [UInt8] {
        header(version: version, kind: .clientHello) + signingKey + exchangeKey + random
    }

    /// The server hello without its trailing signature (what the signature covers, with the client hello).
    static func serverHelloBody(
        version: UInt16, signingKey: [UInt8], exchangeKey: [UInt8], random: [UInt8]
    ) -> [UInt8] {
        header(version: version, kind: .serverHello) + signingKey + exchangeKey + random
    }

    static func clientFinish(version: UInt16, signature: [UInt8]) -> [UInt8] {
        header(version: version, kind: .clientFinish) + signature
    }

    static func reject(version: UInt16, reason: RejectReason) -> [UInt8] {
        header(version: version, kind: .reject) + [reason.rawValue]
    }

    /// What the server signs: its label and SHA-256 of the client hello followed by the unsigned server hello.
    static func serverSignedMessage(clientHello: [UInt8], serverHelloBody: [UInt8]) -> [UInt8] {
        serverSignatureLabel + Digest.sha256(clientHello + serverHelloBody)
    }

    /// What the client signs: its label and SHA-256 of the client hello followed by the whole server hello.
    static func clientSignedMessage(clientHello: [UInt8], serverHello: [UInt8]) -> [UInt8] {
        clientSignatureLabel + Digest.sha256(clientHello + serverHello)
    }

    /// The fields after the header of a hello: Ed25519 key, kx key and random, at fixed offsets.
    struct HelloFields {
        var signingKey: [UInt8]
        var exchangeKey: [UInt8]
        var random: [UInt8]

        init(_ bytes: [UInt8]) {
            var offset = HandshakeMessage.headerLength
            signingKey = Array(bytes[offset..<offset + HandshakeMessage.signingKeyLength])
            offset += HandshakeMessage.signingKeyLength
            exchangeKey = Array(bytes[offset..<offset + HandshakeMessage.exchangeKeyLength])
            offset += HandshakeMessage.exchangeKeyLength
            random = Array(bytes[offset..<offset + HandshakeMessage.randomLength])
        }
    }
}
