/// A worker's advertisement: its capabilities, attributes, slots and acceptance policy.
public struct WorkerAd: Hashable, Sendable, Codable {
    public var capabilities: [CapabilityOffer]
    public var attributes: WorkerAttributes
    /// How many jobs it runs at once.
    public var slots: Int
    /// An expression over `job.*`, `submitter` and `worker.*` that must hold for the worker to take a job.
    public var accept: String?
    /// Plugins withdrawn because their runners kept crashing (absent when none were).
    public var quarantined: [QuarantinedPlugin]?

    public init(capabilities: [CapabilityOffer], attributes: WorkerAttributes, slots: Int, accept: String? = nil,
                quarantined: [QuarantinedPlugin]? = nil) {
        self.capabilities = capabilities
        self.attributes = attributes
        self.slots = slots
        self.accept = accept
        self.quarantined = quarantined
    }
}
