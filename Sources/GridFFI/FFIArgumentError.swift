/// A job input refused before any call was made: not a JSON array, the wrong number of arguments, or an argument
/// (named by index and parameter name) of the wrong type or out of range for its C type.
public struct FFIArgumentError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case notJSON(reason: String)
        case notArray(found: String)
        case wrongCount(expected: Int, found: Int, summary: String)
        case argument(index: Int, name: String, reason: String)
        case output(name: String, reason: String)
    }

    /// The capability the input was for.
    public let capability: String
    private let code: Code

    private init(capability: String, code: Code) {
        self.capability = capability
        self.code = code
    }

    static func notJSON(_ capability: String, _ error: JSONSyntaxError) -> Self {
        Self(capability: capability, code: .notJSON(reason: error.description))
    }
    static func notArray(_ capability: String, found: JSONValue) -> Self {
        Self(capability: capability, code: .notArray(found: found.kindName))
    }
    static func wrongCount(_ capability: FFICapability, found: Int) -> Self {
        Self(capability: capability.name,
             code: .wrongCount(expected: capability.inputs.count, found: found, summary: capability.inputSummary))
    }
    static func argument(_ capability: String, index: Int, name: String, _ reason: String) -> Self {
        Self(capability: capability, code: .argument(index: index, name: name, reason: reason))
    }
    static func output(_ capability: String, name: String, _ reason: String) -> Self {
        Self(capability: capability, code: .output(name: name, reason: reason))
    }

    /// The position of the argument at fault in the input array, when one is.
    public var argumentIndex: Int? {
        if case .argument(let index, _, _) = code { return index }
        return nil
    }

    /// The name of the parameter at fault (an input, or an output whose size could not be computed), when one is.
    public var parameterName: String? {
        switch code {
        case .argument(_, let name, _), .output(let name, _): return name
        default: return nil
        }
    }

    public var description: String {
        switch code {
        case .notJSON(let reason):
            return "The input of \(capability) must be a JSON array of arguments, but it is not strict JSON "
                + "(\(reason))."
        case .notArray(let found):
            return "The input of \(capability) must be a JSON array of arguments, not \(found)."
        case .wrongCount(let expected, let found, let summary):
            let noun = expected == 1 ? "argument" : "arguments"
            return "\(capability) takes \(expected) \(noun) \(summary), but the input has \(found)."
        case .argument(let index, let name, let reason):
            return "Argument \(index) (\(name)) of \(capability) \(reason)."
        case .output(let name, let reason):
            return "The output \(name) of \(capability) cannot be allocated: \(reason)."
        }
    }
}
