import Foundation

/// Runs a client request and turns connection errors into one clear line.
enum ClientCall {
    static func run<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }
}
