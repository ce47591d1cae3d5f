import GridPluginKit

/// Parsing of the input and a sieve of Eratosthenes over odd numbers.
enum PrimeCounter {
    /// The largest n accepted (the sieve then takes 25 MB).
    static let maximum = 50_000_000

    /// Reads n from decimal text surrounded by optional whitespace.
    static func parse(_ input: [UInt8]) throws -> Int {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0d).contains($0) }
        guard let first = input.firstIndex(where: { !isSpace($0) }),
            let last = input.lastIndex(where: { !isSpace($0) })
        else {
            throw CapabilityError.badInput("The input is empty: expected a decimal integer n such as 1000.")
        }
        let digits = input[first...last]
        guard digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw CapabilityError.badInput(
                "The input is not a decimal integer: expected only the digits of n, such as 1000, without sign."
            )
        }
        var n = 0
        for digit in digits {
            n = n * 10 + Int(digit - 0x30)
            guard n <= maximum else {
                throw CapabilityError.badInput("n is too large: the largest n accepted is \(maximum).")
            }
        }
        return n
    }

    /// The number of primes p with p < n.
    static func count(below n: Int) -> Int {
        guard n > 2 else { return 0 }
        // composite[i] tells whether the odd number 2i+1 is composite, for 2i+1 < n.
        let size = n / 2
        var composite = [Bool](repeating: false, count: size)
        var count = 1  // the prime 2
        var i = 1
        while i < size {
            if !composite[i] {
                count += 1
                let p = 2 * i + 1
                var multiple = p * p
                while multiple < n {
                    composite[multiple / 2] = true
                    multiple += 2 * p
                }
            }
            i += 1
        }
        return count
    }
}
