import Foundation
import GridFFICall

extension FFICapability {
    /// The JSON output of a call: the return value alone when the capability has no outputs (`907060870`, `null`
    /// for void), else an object with `"return"` and one member per output buffer in its declared encoding.
    ///
    /// Throws when `result` does not have the shape the signature declares (it came from another process).
    public func format(_ result: FFIRawResult) throws(FFIEncodingError) -> [UInt8] {
        guard result.returnValue?.type == returns else {
            throw .invalid("call result", "it returns \(result.returnValue?.type.name ?? "void") but \(name) declares "
                + (returns?.name ?? "void"))
        }
        let outputs = self.outputs
        guard result.outputs.count == outputs.count else {
            throw .invalid("call result", "it has \(result.outputs.count) output buffers but \(name) declares "
                + "\(outputs.count)")
        }
        let returnText = result.returnValue.map(Self.json) ?? "null"
        guard !outputs.isEmpty else { return Array(returnText.utf8) }
        var members: [(key: String, value: String)] = [("return", returnText)]
        for (parameter, bytes) in zip(outputs, result.outputs) {
            guard case .output(let output) = parameter.kind else { continue }
            members.append((parameter.name, Self.json(output.used(bytes, returnValue: result.returnValue),
                                                      encoding: output.encoding)))
        }
        return Array(JSONWriter.object(members).utf8)
    }

    /// A scalar as JSON: integers exactly, floating point as the shortest text that reads back to the same value;
    /// NaN and the infinities, which JSON cannot write as numbers, as the strings "NaN", "Infinity", "-Infinity".
    static func json(_ value: FFIValue) -> String {
        switch value {
        case .float(let number): return number.isFinite ? number.description : nonFinite(Double(number))
        case .double(let number): return number.isFinite ? number.description : nonFinite(number)
        default: return value.description
        }
    }

    private static func nonFinite(_ number: Double) -> String {
        number.isNaN ? "\"NaN\"" : (number > 0 ? "\"Infinity\"" : "\"-Infinity\"")
    }

    static func json(_ bytes: [UInt8], encoding: FFIOutputEncoding) -> String {
        switch encoding {
        case .base64:
            return JSONWriter.object([("base64", JSONWriter.quote(Data(bytes).base64EncodedString()))])
        case .hex:
            return JSONWriter.quote(bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16)
                : String($0, radix: 16) }.joined())
        case .text:
            let prefix = bytes.prefix { $0 != 0 }
            guard let text = String(validating: prefix, as: UTF8.self) else { return json(bytes, encoding: .base64) }
            return JSONWriter.quote(text)
        }
    }
}
