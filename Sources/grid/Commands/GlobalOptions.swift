import ArgumentParser
import Foundation
import GridCore
import GridCrypto
import GridNet
import Logging

/// Options every command takes.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder for identity, database and state.", valueName: "dir"))
    var home: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.",
                                            valueName: "level"))
    var logLevel: String?

    /// `--home`, else `$GRID_HOME`, else `~/.grid`.
    var directory: String {
        if let home { return Self.absolute(home) }
        if let env = ProcessInfo.processInfo.environment["GRID_HOME"], !env.isEmpty { return Self.absolute(env) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".grid").path
    }

    var identityPath: String { directory + "/identity" }

    /// Loads the identity, creating one on first use.
    func identity() throws -> Identity {
        do {
            return try Identity.loadOrCreate(at: identityPath).identity
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Sets up logging to stderr once; `defaultLevel` applies when neither the flag nor GRID_LOG_LEVEL is set.
    func bootstrapLogging(defaultLevel: Logger.Level) throws -> Logger {
        let text = logLevel ?? ProcessInfo.processInfo.environment["GRID_LOG_LEVEL"]
        var level = defaultLevel
        if let text {
            guard let parsed = Logger.Level(rawValue: text.lowercased()) else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(text)'")
            }
            level = parsed
        }
        let chosen = level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = chosen
            return handler
        }
        return Logger(label: "grid")
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// Where the matchmaker is.
struct MatchmakerOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Matchmaker address (default $GRID_MATCHMAKER or 127.0.0.1:7700).",
                                            valueName: "host:port"))
    var matchmaker: String?

    @Option(name: .customLong("matchmaker-id"),
            help: ArgumentHelp("Only talk to a matchmaker with this peer id (default $GRID_MATCHMAKER_ID).",
                               valueName: "peer-id"))
    var matchmakerID: String?

    mutating func validate() throws {
        _ = try endpoint()
        _ = try expectedPeer()
    }

    /// The pinned matchmaker identity, if any.
    func expectedPeer() throws -> PeerID? {
        guard let text = matchmakerID ?? ProcessInfo.processInfo.environment["GRID_MATCHMAKER_ID"], !text.isEmpty else {
            return nil
        }
        guard let peer = PeerID(hex: text) else {
            throw ValidationError("--matchmaker-id must be a peer id of 64 hex digits, got '\(text)'")
        }
        return peer
    }

    func endpoint() throws -> Endpoint {
        let text = matchmaker ?? ProcessInfo.processInfo.environment["GRID_MATCHMAKER"] ?? "127.0.0.1:7700"
        do {
            return try Endpoint(parsing: text)
        } catch {
            throw ValidationError("--matchmaker: \(error)")
        }
    }
}

/// A user-facing failure: one line on stderr, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes to stdout and flushes, so lines reach a pipe at once.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Writes one line to stderr.
func warn(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
