import ArgumentParser
import GridCore
import GridFFI
import GridPluginTrust

/// `grid plugin sign PATH`: signs a plugin file or FFI manifest with this peer's identity.
struct PluginSign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a plugin (.so) or FFI manifest (.json) with this peer's identity into PATH.sig.",
        discussion: """
            The signature covers the SHA-256 of the file's exact bytes, so for a manifest it covers every \
            declaration in it (library, symbols, C signatures, costs). A manifest is checked before it is signed.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The plugin file or FFI manifest to sign.", valueName: "path"))
    var path: String

    func run() async throws {
        let manifest = try PluginFileDescription.manifest(at: path)
        let identity = try options.identity()
        let signature: PluginSignature
        do {
            signature = try PluginSignature.signFile(at: path, identity: identity)
        } catch {
            throw CLIError(error.description)
        }
        say("signed \(path) as \(signature.author.hex)")
        say("signature: \(PluginSignature.signaturePath(for: path))")
        say("sha256: \(Hex.encode(signature.fileSHA256))")
        if let manifest { PluginFileDescription.printDeclarations(of: manifest) }
    }
}
