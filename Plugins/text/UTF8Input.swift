import GridPluginKit

/// Decoding and splitting of the text plugin's input.
enum UTF8Input {
    /// The input as a string, or a bad-input error naming the first invalid byte offset.
    static func decode(_ input: [UInt8]) throws -> String {
        if let text = String(validating: input, as: UTF8.self) {
            return text
        }
        var offset = 0
        var iterator = input.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: break loop
            }
        }
        throw CapabilityError.badInput("The input is not valid UTF-8 text (invalid bytes at offset \(offset)).")
    }

    /// Number of maximal runs of non-whitespace characters.
    static func wordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for character in text {
            if character.isWhitespace {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
            }
        }
        return count
    }
}
