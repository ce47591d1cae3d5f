import Foundation
import GridFFICall

extension FFICapability {
    /// Checks the job input, a JSON array of arguments, against the declared signature and builds the call plan.
    ///
    /// Nothing is called: every argument is checked first (count, JSON type, range of its C type, NUL bytes in
    /// strings, buffer lengths against their length type), then output sizes are computed from their rules.
    public func plan(input: [UInt8]) throws(FFIArgumentError) -> FFICallPlan {
        let json: JSONValue
        do {
            json = try JSONParser.parse(input)
        } catch {
            throw .notJSON(name, error)
        }
        guard case .array(let values) = json else { throw .notArray(name, found: json) }
        let inputs = self.inputs
        guard values.count == inputs.count else { throw .wrongCount(self, found: values.count) }

        // Convert every input first, so output sizes can refer to any of them.
        var converted: [String: FFIArgument] = [:]
        for (index, (parameter, value)) in zip(inputs, values).enumerated() {
            converted[parameter.name] = try argument(value, for: parameter, index: index)
        }
        var arguments: [FFIArgument] = []
        for parameter in parameters {
            switch parameter.kind {
            case .scalar, .string:
                arguments.append(converted[parameter.name]!)
            case .buffer(let lengthType):
                let argument = converted[parameter.name]!
                arguments.append(argument)
                // The length fits: `argument(_:for:index:)` checked it.
                arguments.append(.value(FFIValue.integer(Int64(argument.byteCount), as: lengthType)!))
            case .output(let output):
                let size = try outputSize(output.size, of: parameter, given: converted)
                arguments.append(.output(size: size))
                if let lengthType = output.length {
                    guard let length = FFIValue.integer(Int64(size), as: lengthType) else {
                        throw .output(name, name: parameter.name, "its size \(size) does not fit its length type "
                            + "\(lengthType)")
                    }
                    arguments.append(.value(length))
                }
            }
        }
        return FFICallPlan(library: library, symbol: symbol, returns: returns, arguments: arguments)
    }

    private func argument(_ value: JSONValue, for parameter: FFIParameter, index: Int) throws(FFIArgumentError)
        -> FFIArgument
    {
        func fail(_ reason: String) -> FFIArgumentError {
            .argument(name, index: index, name: parameter.name, reason)
        }
        switch parameter.kind {
        case .scalar(let type):
            return .value(try Self.scalar(value, type: type, fail: fail))
        case .string:
            guard case .string(let text) = value else { throw fail("must be a string, not \(value.kindName)") }
            let bytes = Array(text.utf8)
            guard !bytes.contains(0) else {
                throw fail("contains a NUL character, which would end the C string early")
            }
            return .string(bytes)
        case .buffer(let lengthType):
            let bytes: [UInt8]
            switch value {
            case .string(let text):
                bytes = Array(text.utf8)
            case .object(let members) where members.count == 1 && members["base64"] != nil:
                guard case .string(let text)? = members["base64"], let data = Data(base64Encoded: text) else {
                    throw fail("has a \"base64\" field that is not a base64 string")
                }
                bytes = Array(data)
            default:
                throw fail("must be a buffer, given as a string or {\"base64\": \"...\"}, not \(value.excerpt)")
            }
            guard FFIValue.integer(Int64(bytes.count), as: lengthType) != nil else {
                throw fail("is \(bytes.count) bytes long, more than its length type \(lengthType) can pass "
                    + "(at most \(lengthType.maximum))")
            }
            return .bytes(bytes)
        case .output:
            throw fail("is an output and cannot be given")
        }
    }

    /// `value` as a scalar of `type`: integers exactly (no fraction or exponent), floating point finite (or the
    /// strings "NaN", "Infinity", "-Infinity").
    private static func scalar(
        _ value: JSONValue,
        type: FFIScalarType,
        fail: (String) -> FFIArgumentError
    ) throws(FFIArgumentError) -> FFIValue {
        if type.isInteger {
            guard case .number(let text) = value else {
                throw fail("must be an integer of type \(type), not \(value.kindName)")
            }
            let range = "from \(type.minimum) to \(type.maximum)"
            guard !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
                throw fail("must be a whole number written without fraction or exponent for \(type), not \(text)")
            }
            let converted: FFIValue?
            if text.hasPrefix("-") {
                converted = Int64(text).flatMap { FFIValue.integer($0, as: type) }
            } else {
                converted = UInt64(text).flatMap { FFIValue.integer($0, as: type) }
            }
            guard let converted else { throw fail("is out of range for \(type): \(text) is not \(range)") }
            return converted
        }
        let number: Double
        switch value {
        case .number(let text):
            guard let parsed = Double(text), parsed.isFinite else {
                throw fail("is out of range for \(type): \(text) is beyond the largest finite \(type)")
            }
            number = parsed
        case .string("NaN"): number = .nan
        case .string("Infinity"): number = .infinity
        case .string("-Infinity"): number = -.infinity
        default:
            throw fail("must be a number of type \(type) (or \"NaN\", \"Infinity\", \"-Infinity\"), not "
                + value.excerpt)
        }
        guard type == .float else { return .double(number) }
        let single = Float(number)
        guard single.isFinite || !number.isFinite else {
            throw fail("is out of range for float: \(value.excerpt) is beyond the largest finite float")
        }
        return .float(single)
    }

    private func outputSize(
        _ rule: FFISizeRule,
        of parameter: FFIParameter,
        given inputs: [String: FFIArgument]
    ) throws(FFIArgumentError) -> Int {
        let base: Int
        switch rule.base {
        case .fixed(let count):
            base = count
        case .lengthOf(let target):
            base = inputs[target]?.byteCount ?? 0
        case .valueOf(let target):
            guard case .value(let value)? = inputs[target], let number = value.int64Value, number >= 0,
                number <= Int64(FFICallPlan.maximumOutputSize)
            else {
                throw .output(name, name: parameter.name, "its size is the value of \(target), which must be from 0 "
                    + "to \(FFICallPlan.maximumOutputSize)")
            }
            base = Int(number)
        }
        guard let size = rule.size(for: base), size <= FFICallPlan.maximumOutputSize else {
            throw .output(name, name: parameter.name, "its size (\(rule)) would be more than the "
                + "\(FFICallPlan.maximumOutputSize) bytes allowed")
        }
        return size
    }
}

extension FFIArgument {
    /// The byte length of a string or buffer argument (0 for the others).
    fileprivate var byteCount: Int {
        switch self {
        case .string(let bytes), .bytes(let bytes): return bytes.count
        case .value, .output: return 0
        }
    }
}
