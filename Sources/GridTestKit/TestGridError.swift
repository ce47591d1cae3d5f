import Foundation
import GridClient
import GridCore

/// A test grid that could not be brought up.
public struct TestGridError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
