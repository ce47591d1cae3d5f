/// Why a worker stopped for good.
public struct WorkerError: Error, CustomStringConvertible, Sendable {
    public let description: String

    static func refused(_ reason: String) -> WorkerError {
        WorkerError(description: "The matchmaker refused this worker: \(reason)")
    }
}
