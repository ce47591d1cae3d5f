import GridCore
import GridFFICall

/// One capability an FFI manifest declares: its name, version, description and cost, and the C function it calls.
public struct FFICapability: Sendable, Hashable {
    public let name: String
    public let version: SemanticVersion
    public let description: String
    /// Credits one invocation costs.
    public let cost: UInt32
    /// False when the manifest says `"deterministic": false`: the same input may give different outputs.
    public let deterministic: Bool
    /// The library the symbol is resolved in: a soname, or an absolute path.
    public let library: String
    /// The exported C function.
    public let symbol: String
    /// The return type; nil for `void`.
    public let returns: FFIScalarType?
    /// The declared parameters, in C order.
    public let parameters: [FFIParameter]

    public init(
        name: String,
        version: SemanticVersion,
        description: String,
        cost: UInt32,
        library: String,
        symbol: String,
        returns: FFIScalarType?,
        parameters: [FFIParameter],
        deterministic: Bool = true
    ) {
        self.deterministic = deterministic
        self.name = name
        self.version = version
        self.description = description
        self.cost = cost
        self.library = library
        self.symbol = symbol
        self.returns = returns
        self.parameters = parameters
    }

    /// The parameters the job's argument array gives, in order.
    public var inputs: [FFIParameter] { parameters.filter(\.isInput) }

    /// The output parameters, in order.
    public var outputs: [FFIParameter] { parameters.filter { !$0.isInput } }

    /// The C declaration the manifest amounts to, such as
    /// `uint64_t crc32(uint64_t crc, const uint8_t *data, uint32_t data_length)`.
    public var cSignature: String {
        let arguments = parameters.isEmpty ? "void" : parameters.map(\.cDeclaration).joined(separator: ", ")
        return "\(returns?.cName ?? "void") \(symbol)(\(arguments))"
    }

    /// What the job input must look like, for messages: `[crc: uint64, data: buffer]`.
    public var inputSummary: String {
        "[" + inputs.map { parameter in
            switch parameter.kind {
            case .scalar(let type): return "\(parameter.name): \(type)"
            case .string: return "\(parameter.name): string"
            case .buffer: return "\(parameter.name): buffer"
            case .output: return parameter.name
            }
        }.joined(separator: ", ") + "]"
    }
}
