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
        /// The runner process died during the call (a signal, an exit, a closed channel, the memory limit).
        public static let crashed = Kind(name: "crashed")
        /// The call ran past the job's timeout and its runner was killed.
        public static let timedOut = Kind(name: "timed out")
        /// No runner process could be started for the call.
        public static let runnerUnavailable = Kind(name: "runner unavailable")

        public var description: String { name }
    }

    private enum Code: Sendable, Hashable {
        case notOffered(plugin: String?, capability: String)
        case reported(plugin: String, capability: String, resultCode: Int32, message: String)
        case invalidOutput(plugin: String, capability: String, reason: String)
        case crashed(plugin: String, capability: String, clause: String)
        case timedOut(plugin: String, capability: String, timeout: Duration, runnerKilled: Bool)
        case runnerUnavailable(plugin: String, capability: String, reason: String)
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

    /// The plugin's runner ended during the call; `clause` says how ("crashed with SIGSEGV").
    public static func crashed(plugin: String, capability: String, clause: String) -> PluginError {
        PluginError(code: .crashed(plugin: plugin, capability: capability, clause: clause))
    }

    /// The call did not finish within `timeout`; its runner was killed (in a runner) or its thread left running.
    public static func timedOut(plugin: String, capability: String, timeout: Duration, runnerKilled: Bool = true)
        -> PluginError {
        PluginError(code: .timedOut(plugin: plugin, capability: capability, timeout: timeout,
                                    runnerKilled: runnerKilled))
    }

    /// No runner could be started to make the call.
    public static func runnerUnavailable(plugin: String, capability: String, reason: String) -> PluginError {
        PluginError(code: .runnerUnavailable(plugin: plugin, capability: capability, reason: reason))
    }

    /// The class of failure.
    public var kind: Kind {
        switch code {
        case .notOffered: return .unknownCapability
        case .invalidOutput: return .invalidOutput
        case .crashed: return .crashed
        case .timedOut: return .timedOut
        case .runnerUnavailable: return .runnerUnavailable
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
        case .reported(let plugin, _, _, _), .invalidOutput(let plugin, _, _), .crashed(let plugin, _, _),
             .timedOut(let plugin, _, _, _), .runnerUnavailable(let plugin, _, _):
            return plugin
        }
    }

    /// The capability that was asked for.
    public var capability: String {
        switch code {
        case .notOffered(_, let capability), .reported(_, let capability, _, _), .invalidOutput(_, let capability, _),
             .crashed(_, let capability, _), .timedOut(_, let capability, _, _),
             .runnerUnavailable(_, let capability, _):
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
        case .crashed(let plugin, let capability, let clause):
            return "The plugin \(plugin) \(clause) while running \(capability)."
        case .timedOut(let plugin, let capability, let timeout, let runnerKilled):
            return "The capability \(capability) of plugin \(plugin) did not finish within "
                + "\(Self.seconds(timeout))" + (runnerKilled ? "; its runner was killed." : ".")
        case .runnerUnavailable(let plugin, let capability, let reason):
            return "No runner process could be started for plugin \(plugin) to run \(capability): \(reason)."
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

    /// `5 s`, `0.25 s`.
    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18) s"
    }
}
