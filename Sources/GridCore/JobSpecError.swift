/// A job spec that cannot be used, naming the field and what was wrong with it.
public struct JobSpecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The spec file, when the spec came from one.
    public var file: String?
    /// The offending field (`input.file`, `timeoutSeconds`), or nil when the whole document is wrong.
    public var field: String?
    public var reason: String

    public init(file: String? = nil, field: String?, reason: String) {
        self.file = file
        self.field = field
        self.reason = reason
    }

    public var description: String {
        let place = file.map { "\($0): " } ?? ""
        if let field { return "\(place)field '\(field)' \(reason)" }
        return "\(place)\(reason)"
    }
}
