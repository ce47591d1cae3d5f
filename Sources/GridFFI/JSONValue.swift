/// A JSON value read by `JSONParser`: numbers keep their text so integers of any width are read exactly.
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's text exactly as written (valid JSON number syntax).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Keys are unique: the parser refuses duplicates.
    case object([String: JSONValue])

    /// What the value is, for messages: "a number", "an object".
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value as compact JSON text, for quoting it in a message.
    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .string(let value): return JSONWriter.quote(value)
        case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.sorted { $0.key < $1.key }.map { JSONWriter.quote($0.key) + ":" + $0.value.text }
                .joined(separator: ",") + "}"
        }
    }

    /// `text` cut to 60 characters, for quoting untrusted values in messages.
    var excerpt: String {
        let full = text
        return full.count > 60 ? String(full.prefix(60)) + "…" : full
    }
}
