import Foundation
import GridCore

/// Reads the machine's cores, memory, os and arch for the worker's attributes.
enum MachineFacts {
    static func attributes(labels: [String: String]) -> WorkerAttributes {
        let info = ProcessInfo.processInfo
        let memory = Double(info.physicalMemory) / 1_073_741_824
        #if arch(x86_64)
        let arch = "x86_64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "macos"
        #else
        let os = "unknown"
        #endif
        return WorkerAttributes(cores: info.activeProcessorCount, memoryGB: (memory * 10).rounded() / 10,
                                os: os, arch: arch, labels: labels)
    }
}
