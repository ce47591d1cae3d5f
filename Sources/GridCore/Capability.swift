/// One ability a worker offers through a plugin, as advertised to the matchmaker.
public struct CapabilityOffer: Hashable, Sendable, Codable {
    public var name: String
    public var version: SemanticVersion
    public var description: String
    /// Credits one invocation costs.
    public var cost: Int
    /// The plugin that provides it.
    public var plugin: String
    /// The peer id (hex) of the author whose valid signature the plugin file carries, or `unsignedAuthor`.
    public var author: String
    /// False when the capability's output for one input may differ between runs (the plugin declared
    /// `GRID_CAPABILITY_NONDETERMINISTIC`, or its FFI manifest `"deterministic": false`): such an offer cannot serve
    /// a job run redundantly for a quorum. Encoded only when false, so ads stay small; absent (an older worker)
    /// reads as true.
    public var deterministic: Bool

    /// The `author` of a plugin without a valid signature.
    public static let unsignedAuthor = "unsigned"

    public init(
        name: String,
        version: SemanticVersion,
        description: String,
        cost: Int,
        plugin: String,
        author: String = CapabilityOffer.unsignedAuthor,
        deterministic: Bool = true
    ) {
        self.deterministic = deterministic
        self.name = name
        self.version = version
        self.description = description
        self.cost = cost
        self.plugin = plugin
        self.author = author
    }

    private enum CodingKeys: String, CodingKey {
        case name, version, description, cost, plugin, author, deterministic
    }

    /// Decodes an offer; one from a worker that predates signed plugins has no `author` and reads as unsigned, one
    /// without `deterministic` reads as deterministic.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decode(SemanticVersion.self, forKey: .version)
        description = try container.decode(String.self, forKey: .description)
        cost = try container.decode(Int.self, forKey: .cost)
        plugin = try container.decode(String.self, forKey: .plugin)
        author = try container.decodeIfPresent(String.self, forKey: .author) ?? Self.unsignedAuthor
        deterministic = try container.decodeIfPresent(Bool.self, forKey: .deterministic) ?? true
    }

    /// Encodes an offer; `deterministic` only when false.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(version, forKey: .version)
        try container.encode(description, forKey: .description)
        try container.encode(cost, forKey: .cost)
        try container.encode(plugin, forKey: .plugin)
        try container.encode(author, forKey: .author)
        if !deterministic { try container.encode(false, forKey: .deterministic) }
    }
}
