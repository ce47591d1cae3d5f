import Foundation

/// Where SwiftPM put the products of the current build (`.build/debug/` and the like), found from the test binary.
public enum BuildProducts {
    /// The folder holding the running executable (on Linux, `/proc/self/exe` resolved), which for `swift test`
    /// is the build products folder.
    public static var directory: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if executable.path != "/proc/self/exe" {
            return executable.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
    }

    /// The path of the product file `name` (such as `libGridPluginHash.so`) in `directory`.
    public static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}
