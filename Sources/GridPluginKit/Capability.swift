/// One ability a plugin offers: its name, version, a line for people, a cost hint, whether its output is
/// deterministic, and the code that runs it.
public struct Capability: Sendable {
    /// The code that turns an input into an output; it throws `CapabilityError` (or any error) to fail.
    public typealias Handler = @Sendable ([UInt8]) throws -> [UInt8]

    /// Dotted lowercase name such as `hash.sha256`.
    public var name: String
    /// Semantic version of this capability, such as `1.0.0`.
    public var version: String
    /// One line saying what the capability does.
    public var description: String
    /// Credits one invocation costs (a hint the matchmaker charges).
    public var cost: UInt32
    /// False when the same input may give different outputs (random bytes, timestamps, sampling): the grid then
    /// refuses to run it redundantly and compare outputs. Exported as `GRID_CAPABILITY_NONDETERMINISTIC`.
    public var deterministic: Bool
    /// The code run for each invocation; it may run on several threads at once.
    public var handler: Handler

    public init(
        _ name: String,
        version: String = "1.0.0",
        description: String,
        cost: UInt32 = 1,
        deterministic: Bool = true,
        handler: @escaping Handler
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.cost = cost
        self.deterministic = deterministic
        self.handler = handler
    }
}
