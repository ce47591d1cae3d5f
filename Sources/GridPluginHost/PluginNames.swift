/// The naming rules of the plugin ABI, for tools that choose names before any plugin exists (`grid plugin new`).
public enum PluginNames {
    /// Whether `name` is a valid plugin name: 1 to 64 characters of `a-z`, `0-9`, `-`, `_`, starting with a letter
    /// or digit, such as `hash` or `my-plugin`.
    public static func isPluginName(_ name: String) -> Bool {
        PluginValidator.isPluginName(name)
    }

    /// Whether `name` is a valid capability name: two or more plugin-name segments joined by dots, at most 128
    /// characters, such as `hash.sha256`.
    public static func isCapabilityName(_ name: String) -> Bool {
        PluginValidator.isCapabilityName(name)
    }
}
