import Foundation

/// Reads job spec documents (JSON, see docs/job-spec.md) into checked `JobRequest`s.
///
/// Decoding is done by hand rather than with `Codable` so that every mistake, including an unknown field
/// (usually a typo), is reported with the field's name.
public enum JobSpec {
    static let knownFields: Set<String> = [
        "capability", "version", "input", "timeoutSeconds", "queueTimeoutSeconds", "maxCredits", "labels",
        "requirements", "rank", "description", "redundancy", "quorum",
    ]

    /// Reads the spec at `path`; a file input is read relative to the spec's folder.
    public static func load(path: String) throws(JobSpecError) -> JobRequest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JobSpecError(file: path, field: nil, reason: "cannot be read (missing or not a file)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            return try parse(data, baseDirectory: folder)
        } catch var error {
            error.file = path
            throw error
        }
    }

    /// Parses a spec document; `baseDirectory` resolves `input.file`.
    public static func parse(_ data: Data, baseDirectory: String) throws(JobSpecError) -> JobRequest {
        do {
            // Foundation reports no position and keeps one of two duplicate keys: check strictly first.
            try StrictJSON.check(data)
        } catch {
            throw JobSpecError(field: nil, reason: "is not valid JSON: \(error.reason)", line: error.line,
                               column: error.column)
        }
        let object: [String: Any]
        do {
            guard let dictionary = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw JobSpecError(field: nil, reason: "must be a JSON object")
            }
            object = dictionary
        } catch let error as JobSpecError {
            throw error
        } catch {
            throw JobSpecError(field: nil, reason: "is not valid JSON (\(error.localizedDescription))")
        }
        if let unknown = object.keys.sorted().first(where: { !knownFields.contains($0) }) {
            throw JobSpecError(field: unknown, reason: "is not a job spec field (known: \(knownFields.sorted().joined(separator: ", ")))")
        }
        guard let capability = object["capability"] else {
            throw JobSpecError(field: "capability", reason: "is required")
        }
        var request = JobRequest(capability: try string(capability, field: "capability"), input: Data())
        if let version = object["version"] { request.version = try string(version, field: "version") }
        if let input = object["input"] {
            request.input = try parseInput(input, baseDirectory: baseDirectory)
        } else {
            throw JobSpecError(field: "input", reason: "is required: {\"text\": ...}, {\"base64\": ...} or {\"file\": ...}")
        }
        if let timeout = object["timeoutSeconds"] { request.timeoutSeconds = try integer(timeout, field: "timeoutSeconds") }
        if let queueTimeout = object["queueTimeoutSeconds"] {
            request.queueTimeoutSeconds = try integer(queueTimeout, field: "queueTimeoutSeconds")
        }
        if let credits = object["maxCredits"] { request.maxCredits = try integer(credits, field: "maxCredits") }
        if let labels = object["labels"] {
            guard let dictionary = labels as? [String: Any] else {
                throw JobSpecError(field: "labels", reason: "must be an object of string values")
            }
            for (key, value) in dictionary {
                request.labels[key] = try string(value, field: "labels.\(key)")
            }
        }
        if let requirements = object["requirements"] {
            request.requirements = try string(requirements, field: "requirements")
        }
        if let rank = object["rank"] { request.rank = try string(rank, field: "rank") }
        if let redundancy = object["redundancy"] { request.redundancy = try integer(redundancy, field: "redundancy") }
        if let quorum = object["quorum"] { request.quorum = try integer(quorum, field: "quorum") }
        if let description = object["description"] { _ = try string(description, field: "description") }
        _ = try request.validate()
        return request
    }

    private static func parseInput(_ value: Any, baseDirectory: String) throws(JobSpecError) -> Data {
        guard let input = value as? [String: Any] else {
            throw JobSpecError(field: "input", reason: "must be an object with one of 'text', 'base64' or 'file'")
        }
        guard input.count == 1, let (key, inner) = input.first else {
            throw JobSpecError(field: "input", reason: "must have exactly one of 'text', 'base64' or 'file', got \(input.keys.sorted())")
        }
        switch key {
        case "text":
            return Data(try string(inner, field: "input.text").utf8)
        case "base64":
            let text = try string(inner, field: "input.base64")
            guard let data = Data(base64Encoded: text) else {
                throw JobSpecError(field: "input.base64", reason: "is not valid base64")
            }
            return data
        case "file":
            let relative = try string(inner, field: "input.file")
            let path = relative.hasPrefix("/") ? relative : baseDirectory + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw JobSpecError(field: "input.file", reason: "names '\(relative)', which is not a readable file")
            }
            // The size of what a symbolic link points to, not of the link; the read below is bounded anyway.
            let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
            guard size <= JobRequest.maxInputBytes else {
                throw JobSpecError(field: "input.file", reason: "is \(size) bytes; the limit is \(JobRequest.maxInputBytes)")
            }
            // Only a regular file: a device such as /dev/zero, or a FIFO, would be read for ever.
            do {
                return Data(try FileBytes.read(path, limit: JobRequest.maxInputBytes))
            } catch {
                throw JobSpecError(field: "input.file", reason: "names '\(relative)', which cannot be read: \(error)")
            }
        default:
            throw JobSpecError(field: "input.\(key)", reason: "is not an input kind: use 'text', 'base64' or 'file'")
        }
    }

    private static func string(_ value: Any, field: String) throws(JobSpecError) -> String {
        guard let text = value as? String else {
            throw JobSpecError(field: field, reason: "must be a string")
        }
        return text
    }

    private static func integer(_ value: Any, field: String) throws(JobSpecError) -> Int {
        // JSONSerialization gives true/false as a boolean NSNumber (objCType "c") and numbers as other NSNumbers;
        // reject booleans and fractions.
        guard type(of: value) != Bool.self, let number = value as? NSNumber,
              String(cString: number.objCType) != "c",
              let whole = Int(exactly: number.doubleValue) else {
            throw JobSpecError(field: field, reason: "must be a whole number")
        }
        return whole
    }
}
