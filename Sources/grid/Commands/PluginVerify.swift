import ArgumentParser
import Foundation
import GridFFI
import GridPluginTrust

/// `grid plugin verify PATH`: checks a plugin file's detached signature, optionally against trusted authors.
struct PluginVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the signature PATH.sig of a plugin or FFI manifest and print its author.",
        discussion: """
            Exits with 0 and prints the author when the signature is valid for the file's current bytes (and, \
            with --trust-authors, the author is listed); otherwise prints why and exits with 1.
            """
    )

    @Argument(help: ArgumentHelp("The plugin file or FFI manifest to check.", valueName: "path"))
    var path: String

    @Option(name: .customLong("trust-authors"),
            help: ArgumentHelp("Also require the author to be listed in this file (one peer id per line).",
                               valueName: "file"))
    var trustAuthors: String?

    func run() async throws {
        let author: String
        do {
            if let trustAuthors {
                let trusted = try TrustedAuthors.load(from: trustAuthors)
                author = try trusted.authorize(pluginAt: path).hex
            } else {
                author = try PluginSignature.verifyFile(at: path).hex
            }
        } catch let error as PluginSignatureError {
            throw CLIError(error.description)
        } catch {
            throw CLIError("\(error)")
        }
        say("\(path): signed by \(author)" + (trustAuthors == nil ? "" : " (a trusted author)"))
        if let manifest = try PluginFileDescription.manifest(at: path) {
            PluginFileDescription.printDeclarations(of: manifest)
        }
    }
}
