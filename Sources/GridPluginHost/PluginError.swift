import CGridPluginABI

/// A failed capability invocation, naming the plugin, the capability, the ABI result code and the plugin's message.
public struct PluginError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad class of a failure, for deciding whether to retry or to blame the input.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        /// The input was rejected by the plugin (GRID_PLUGIN_BAD_INPUT); retrying elsewhere will not help.
        public static let badInput = Kind(name: "bad input")
        /// The plugin failed (GRID_PLUGIN_ERROR or an unknown result code).
        public static let failed = Kind(name: "failed")
        /// No loaded plugin runs this capability.
        public static let unknownCapability = Kind(name: "unknown capability")
        /// The plugin broke the ABI when answering (for example a length without data).
        public static let invalidOutput = Kind(name: "invalid output")

        public var description: String { name }
    }

    private enum Code: Sendable, Hashable {
        case notOffered(plugin: String?, capability: String)
        case reported(plugin: String, capability: String, resultCode: Int32, message: String)
        case invalidOutput(plugin: String, capability: String, reason: String)
    }

    private let code: Code

    /// `capability` is not offered by `plugin` (or by any plugin, when `plugin` is nil).
    public static func unknownCapability(_ capability: String, plugin: String?) -> PluginError {
        PluginError(code: .notOffered(plugin: plugin, capability: capability))
    }

    /// The plugin returned `resultCode` (not GRID_PLUGIN_OK) with `message`.
    public static func reported(plugin: String, capability: String, resultCode: Int32, message: String) -> PluginError {
        PluginError(code: .reported(plugin: plugin, capability: capability, resultCode: resultCode, message: message))
    }

    /// The plugin's answer broke the ABI, for the reason given.
    public static func invalidOutput(plugin: String, capability: String, reason: String) -> PluginError {
        PluginError(code: .invalidOutput(plugin: plugin, capability: capability, reason: reason))
    }

    /// The class of failure.
    public var kind: Kind {
        switch code {
        case .notOffered: return .unknownCapability
        case .invalidOutput: return .invalidOutput
        case .reported(_, _, let resultCode, _):
            switch resultCode {
            case GRID_PLUGIN_BAD_INPUT: return .badInput
            case GRID_PLUGIN_UNKNOWN_CAPABILITY: return .unknownCapability
            default: return .failed
            }
        }
    }

    /// The plugin involved, when one was.
    public var plugin: String? {
        switch code {
        case .notOffered(let plugin, _): return plugin
        case .reported(let plugin, _, _, _), .invalidOutput(let plugin, _, _): return plugin
        }
    }

    /// The capability that was asked for.
    public var capability: String {
        switch code {
        case .notOffered(_, let capability), .reported(_, let capability, _, _), .invalidOutput(_, let capability, _):
            return capability
        }
    }

    /// The ABI result code the plugin returned, when it returned one.
    public var resultCode: Int32? {
        if case .reported(_, _, let resultCode, _) = code { return resultCode }
        return nil
    }

    /// The plugin's own message (empty when it gave none, or when the host detected the failure).
    public var message: String {
        if case .reported(_, _, _, let message) = code { return message }
        return ""
    }

    public var description: String {
        switch code {
        case .notOffered(nil, let capability):
            return "No loaded plugin offers the capability \(capability)."
        case .notOffered(let plugin?, let capability):
            return "The plugin \(plugin) does not offer the capability \(capability)."
        case .invalidOutput(let plugin, let capability, let reason):
            return "The plugin \(plugin) broke the plugin ABI when running \(capability): \(reason)."
        case .reported(let plugin, let capability, let resultCode, let message):
            let what: String
            switch resultCode {
            case GRID_PLUGIN_BAD_INPUT:
                what = "rejected its input (GRID_PLUGIN_BAD_INPUT)"
            case GRID_PLUGIN_ERROR:
                what = "failed (GRID_PLUGIN_ERROR)"
            case GRID_PLUGIN_UNKNOWN_CAPABILITY:
                what = "was refused by the plugin as unknown (GRID_PLUGIN_UNKNOWN_CAPABILITY)"
            default:
                what = "failed with the unknown result code \(resultCode)"
            }
            let detail = message.isEmpty ? " without a message." : ": \(message)"
            return "The capability \(capability) of plugin \(plugin) \(what)\(detail)"
        }
    }
}
