extension MatchExpression: Equatable, Hashable {
    /// Two expressions are equal when their source texts are.
    public static func == (lhs: MatchExpression, rhs: MatchExpression) -> Bool { lhs.source == rhs.source }

    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

extension MatchExpression: Codable {
    /// Decodes an expression from its source text, failing with the parse error's description.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container,
                                                   debugDescription: "invalid expression: \(error.description)")
        }
    }

    /// Encodes the source text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }
}
