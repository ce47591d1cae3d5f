/// An error a capability handler throws to fail an invocation with a message for the submitter.
///
/// `badInput` tells the host the input was at fault (GRID_PLUGIN_BAD_INPUT), `failed` that the plugin was
/// (GRID_PLUGIN_ERROR). Any other error thrown by a handler counts as `failed` with its description.
/// Messages are shown to people: write a full sentence and do not echo the input back.
public struct CapabilityError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case badInput(String)
        case failed(String)
    }

    private let code: Code

    /// The input cannot be processed, for the reason given in `message`.
    public static func badInput(_ message: String) -> CapabilityError {
        CapabilityError(code: .badInput(message))
    }

    /// The plugin could not do the work, for the reason given in `message`.
    public static func failed(_ message: String) -> CapabilityError {
        CapabilityError(code: .failed(message))
    }

    /// Whether the input, rather than the plugin, is at fault.
    public var isBadInput: Bool {
        if case .badInput = code { return true }
        return false
    }

    /// The message handed to the host.
    public var message: String {
        switch code {
        case .badInput(let message), .failed(let message): return message
        }
    }

    public var description: String { message }
}
