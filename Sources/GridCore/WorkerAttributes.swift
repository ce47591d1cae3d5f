/// What a worker says about its machine.
public struct WorkerAttributes: Hashable, Sendable, Codable {
    public var cores: Int
    public var memoryGB: Double
    public var os: String
    public var arch: String
    public var labels: [String: String]

    public init(cores: Int, memoryGB: Double, os: String, arch: String, labels: [String: String]) {
        self.cores = cores
        self.memoryGB = memoryGB
        self.os = os
        self.arch = arch
        self.labels = labels
    }
}
