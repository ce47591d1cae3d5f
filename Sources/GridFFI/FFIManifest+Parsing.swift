import GridCore
import GridFFICall

extension FFIManifest {
    /// Parses and checks a manifest; `file` names it in errors, and a relative library path (one with a slash) is
    /// resolved against `folder` when given. Every error names the field at fault.
    public init(parsing bytes: [UInt8], file: String? = nil, folder: String? = nil) throws(FFIManifestError) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw .notJSON(file, error)
        }
        // The versioned header first: the marker and its version decide how the rest is read.
        guard case .object(let members) = json, let marker = members[Self.marker] else { throw .notManifest(file) }
        guard case .number(let text) = marker, Int(text) == Self.currentVersion else {
            throw .unsupportedVersion(file, found: marker.excerpt)
        }
        let top = try ManifestReader(json, path: "", file: file)
        try top.rejectUnknownKeys([Self.marker, "name", "version", "library", "capabilities"])

        let name = try top.string("name")
        guard Self.isPluginName(name) else {
            throw top.fail("name", "must be 1 to 64 lowercase letters, digits, '-' or '_' starting with a letter or "
                + "digit, not \(JSONWriter.quote(name))")
        }
        let version = try Self.semanticVersion(top, "version")
        let library = try top.string("library")
        guard !library.isEmpty, library.utf8.count <= 4096, !library.utf8.contains(0) else {
            throw top.fail("library", "must be a soname such as libz.so.1 or a path, without NUL, at most 4096 bytes")
        }
        var resolved = library
        if library.contains("/"), !library.hasPrefix("/"), let folder {
            resolved = (folder.isEmpty ? "." : folder) + "/" + library
        }

        let entries = try top.array("capabilities")
        guard !entries.isEmpty else { throw top.fail("capabilities", "must declare at least one capability") }
        guard entries.count <= 256 else { throw top.fail("capabilities", "must declare at most 256 capabilities") }
        var capabilities: [FFICapability] = []
        for (index, entry) in entries.enumerated() {
            let reader = try ManifestReader(entry, path: "capabilities[\(index)]", file: file)
            let capability = try Self.capability(reader, library: resolved)
            if capabilities.contains(where: { $0.name == capability.name }) {
                throw reader.fail("name", "repeats the capability name \(capability.name) declared before it")
            }
            capabilities.append(capability)
        }
        self.init(name: name, version: version, library: resolved, capabilities: capabilities)
    }

    private static func capability(_ reader: ManifestReader, library: String) throws(FFIManifestError)
        -> FFICapability
    {
        try reader.rejectUnknownKeys(
            ["name", "version", "description", "cost", "deterministic", "symbol", "returns", "parameters"])
        let name = try reader.string("name")
        guard CapabilityName.isValid(name), name.contains(".") else {
            throw reader.fail("name", "must be lowercase and dotted like zlib.crc32 (segments of a-z, 0-9, '-' or "
                + "'_', at most 128 characters), not \(JSONWriter.quote(name))")
        }
        let version = try semanticVersion(reader, "version")
        let description = try reader.optionalString("description") ?? ""
        guard description.utf8.count <= 4096 else { throw reader.fail("description", "is longer than 4096 bytes") }
        let cost = try reader.integer("cost", in: 0...Int(UInt32.max))
        var deterministic = true
        if let value = reader.members["deterministic"] {
            guard case .bool(let flag) = value else {
                throw reader.fail("deterministic", "must be true or false, not \(value.excerpt)")
            }
            deterministic = flag
        }
        let symbol = try reader.string("symbol")
        guard isCIdentifier(symbol) else {
            throw reader.fail("symbol", "must be a C identifier (letters, digits, '_', not starting with a digit, at "
                + "most 255 characters), not \(JSONWriter.quote(symbol))")
        }
        let returnsName = try reader.string("returns")
        let returns: FFIScalarType?
        if returnsName == "void" {
            returns = nil
        } else if let type = FFIScalarType(name: returnsName) {
            returns = type
        } else {
            throw reader.fail("returns", "must be void or one of \(scalarNames), not \(JSONWriter.quote(returnsName))")
        }
        let entries = reader.members["parameters"] == nil ? [] : try reader.array("parameters")
        var parameters: [FFIParameter] = []
        for (index, entry) in entries.enumerated() {
            let parameterReader = try ManifestReader(
                entry, path: reader.field("parameters[\(index)]"), file: reader.file)
            let parameter = try self.parameter(parameterReader)
            if parameters.contains(where: { $0.name == parameter.name }) {
                throw parameterReader.fail("name", "repeats the parameter name \(parameter.name)")
            }
            parameters.append(parameter)
        }
        // Size rules may only refer to inputs of the right kind, declared anywhere in the list.
        for (index, parameter) in parameters.enumerated() {
            guard case .output(let output) = parameter.kind else { continue }
            if output.trimToReturn && !(returns?.isInteger ?? false) {
                throw .invalidField(reader.file, field: reader.field("parameters[\(index)].trimToReturn"),
                                    "needs the capability to return an integer type (the count of bytes written)")
            }
            let field = reader.field("parameters[\(index)].size")
            switch output.size.base {
            case .fixed: break
            case .lengthOf(let target):
                guard let found = parameters.first(where: { $0.name == target }), found.isStringOrBuffer else {
                    throw .invalidField(reader.file, field: field, "refers to \(target), which is not a string or "
                        + "buffer parameter of this capability")
                }
            case .valueOf(let target):
                guard let found = parameters.first(where: { $0.name == target }),
                    case .scalar(let type) = found.kind, type.isInteger
                else {
                    throw .invalidField(reader.file, field: field, "refers to \(target), which is not an integer "
                        + "parameter of this capability")
                }
            }
        }
        let cArguments = parameters.reduce(0) { count, parameter in
            switch parameter.kind {
            case .buffer: return count + 2
            case .output(let output): return count + (output.length == nil ? 1 : 2)
            default: return count + 1
            }
        }
        guard cArguments <= FFICallPlan.maximumArgumentCount else {
            throw reader.fail("parameters", "amount to \(cArguments) C arguments, more than the "
                + "\(FFICallPlan.maximumArgumentCount) allowed")
        }
        return FFICapability(
            name: name, version: version, description: description, cost: UInt32(cost), library: library,
            symbol: symbol, returns: returns, parameters: parameters, deterministic: deterministic)
    }

    private static func parameter(_ reader: ManifestReader) throws(FFIManifestError) -> FFIParameter {
        try reader.rejectUnknownKeys(["name", "type", "length", "size", "encoding", "trimToReturn"])
        let name = try reader.string("name")
        guard isCIdentifier(name), name != "return" else {
            throw reader.fail("name", "must be a C identifier other than \"return\", not \(JSONWriter.quote(name))")
        }
        let type = try reader.string("type")
        let allowed: Set<String>
        let kind: FFIParameter.Kind
        switch type {
        case "string":
            allowed = ["name", "type"]
            kind = .string
        case "buffer":
            allowed = ["name", "type", "length"]
            kind = .buffer(length: try integerType(reader, "length") ?? .uint64)
        case "output":
            allowed = ["name", "type", "length", "size", "encoding", "trimToReturn"]
            let encodingName = try reader.optionalString("encoding") ?? FFIOutputEncoding.base64.rawValue
            guard let encoding = FFIOutputEncoding(rawValue: encodingName) else {
                throw reader.fail("encoding", "must be base64, hex or text, not \(JSONWriter.quote(encodingName))")
            }
            var trimToReturn = false
            if let value = reader.members["trimToReturn"] {
                guard case .bool(let flag) = value else {
                    throw reader.fail("trimToReturn", "must be true or false, not \(value.excerpt)")
                }
                trimToReturn = flag
            }
            kind = .output(FFIOutputBuffer(
                size: try sizeRule(reader), length: try integerType(reader, "length"), encoding: encoding,
                trimToReturn: trimToReturn))
        default:
            guard let scalar = FFIScalarType(name: type) else {
                throw reader.fail("type", "must be one of \(scalarNames), string, buffer or output, not "
                    + JSONWriter.quote(type))
            }
            allowed = ["name", "type"]
            kind = .scalar(scalar)
        }
        if let extra = reader.members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw reader.fail(extra, "does not apply to a parameter of type \(type)")
        }
        return FFIParameter(name: name, kind: kind)
    }

    private static func sizeRule(_ reader: ManifestReader) throws(FFIManifestError) -> FFISizeRule {
        let maximum = FFICallPlan.maximumOutputSize
        let value = try reader.value("size")
        if case .number = value {
            return FFISizeRule(base: .fixed(try reader.integer("size", in: 0...maximum)))
        }
        let rule = try ManifestReader(value, path: reader.field("size"), file: reader.file)
        try rule.rejectUnknownKeys(["lengthOf", "valueOf", "times", "plus"])
        let base: FFISizeRule.Base
        switch (try rule.optionalString("lengthOf"), try rule.optionalString("valueOf")) {
        case (let target?, nil): base = .lengthOf(target)
        case (nil, let target?): base = .valueOf(target)
        default:
            throw .invalidField(reader.file, field: reader.field("size"), "must be a byte count, or an object with "
                + "exactly one of lengthOf and valueOf (and optional times and plus)")
        }
        let times = rule.members["times"] == nil ? 1 : try rule.integer("times", in: 1...maximum)
        let plus = rule.members["plus"] == nil ? 0 : try rule.integer("plus", in: 0...maximum)
        return FFISizeRule(base: base, times: times, plus: plus)
    }

    private static func integerType(_ reader: ManifestReader, _ key: String) throws(FFIManifestError)
        -> FFIScalarType?
    {
        guard let name = try reader.optionalString(key) else { return nil }
        guard let type = FFIScalarType(name: name), type.isInteger else {
            throw reader.fail(
                key, "must be an integer type (int8 … int64, uint8 … uint64), not \(JSONWriter.quote(name))")
        }
        return type
    }

    private static func semanticVersion(_ reader: ManifestReader, _ key: String) throws(FFIManifestError)
        -> SemanticVersion
    {
        let text = try reader.string(key)
        guard let version = SemanticVersion(text) else {
            throw reader.fail(key, "must be a semantic version such as 1.0.0, not \(JSONWriter.quote(text))")
        }
        return version
    }

    private static var scalarNames: String { FFIScalarType.allCases.map(\.name).joined(separator: ", ") }

    /// The plugin-name rule of the plugin host: 1 to 64 of a-z, 0-9, '-', '_', starting with a letter or digit.
    static func isPluginName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
            (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte)
        }
        guard (1...64).contains(bytes.count), isLowerAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == 0x2d || $0 == 0x5f }
    }

    /// A C identifier of at most 255 characters.
    static func isCIdentifier(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func isLetter(_ byte: UInt8) -> Bool {
            (0x61...0x7a).contains(byte) || (0x41...0x5a).contains(byte) || byte == 0x5f
        }
        guard (1...255).contains(bytes.count), isLetter(bytes[0]) else { return false }
        return bytes.allSatisfy { isLetter($0) || (0x30...0x39).contains($0) }
    }
}
