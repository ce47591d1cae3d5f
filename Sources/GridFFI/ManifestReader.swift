/// Reads one JSON object of a manifest, naming fields by their path in every error (`capabilities[2].symbol`).
struct ManifestReader {
    let members: [String: JSONValue]
    /// This object's own path ("" for the top level, `capabilities[0]` below it).
    let path: String
    /// The manifest file, for errors.
    let file: String?

    init(_ value: JSONValue, path: String, file: String?) throws(FFIManifestError) {
        guard case .object(let members) = value else {
            throw .invalidField(
                file, field: path.isEmpty ? "the manifest" : path, "must be an object, not \(value.kindName)")
        }
        self.members = members
        self.path = path
        self.file = file
    }

    /// The path of `key` in this object.
    func field(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func fail(_ key: String, _ reason: String) -> FFIManifestError {
        .invalidField(file, field: field(key), reason)
    }

    /// Refuses any key not in `allowed` (a misspelt optional field would otherwise be ignored silently).
    func rejectUnknownKeys(_ allowed: Set<String>) throws(FFIManifestError) {
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw fail(unknown, "is not a known field (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func value(_ key: String) throws(FFIManifestError) -> JSONValue {
        guard let value = members[key] else { throw fail(key, "is missing") }
        return value
    }

    func string(_ key: String) throws(FFIManifestError) -> String {
        let value = try value(key)
        guard case .string(let text) = value else { throw fail(key, "must be a string, not \(value.kindName)") }
        return text
    }

    func optionalString(_ key: String) throws(FFIManifestError) -> String? {
        guard members[key] != nil else { return nil }
        return try string(key)
    }

    /// An integer from `range`.
    func integer(_ key: String, in range: ClosedRange<Int>) throws(FFIManifestError) -> Int {
        try Self.integer(try value(key), in: range, failing: fail(key, "must be an integer from \(range.lowerBound) "
            + "to \(range.upperBound), not \(members[key]?.excerpt ?? "")"))
    }

    static func integer(
        _ value: JSONValue,
        in range: ClosedRange<Int>,
        failing error: @autoclosure () -> FFIManifestError
    ) throws(FFIManifestError) -> Int {
        guard case .number(let text) = value, let number = Int(text), range.contains(number) else { throw error() }
        return number
    }

    func array(_ key: String) throws(FFIManifestError) -> [JSONValue] {
        let value = try value(key)
        guard case .array(let elements) = value else { throw fail(key, "must be an array, not \(value.kindName)") }
        return elements
    }
}
