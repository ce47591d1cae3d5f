/// How many bytes an output buffer gets: a base (a fixed count, the byte length of an input string or buffer, or the
/// value of an integer input) times `times` plus `plus`.
public struct FFISizeRule: Sendable, Hashable, CustomStringConvertible {
    /// Where the size starts from.
    public enum Base: Sendable, Hashable {
        case fixed(Int)
        /// The byte length of the input parameter with this name (a string or buffer).
        case lengthOf(String)
        /// The value of the integer input parameter with this name.
        case valueOf(String)
    }

    public let base: Base
    public let times: Int
    public let plus: Int

    public init(base: Base, times: Int = 1, plus: Int = 0) {
        self.base = base
        self.times = times
        self.plus = plus
    }

    /// The size for a base value of `value`; nil on overflow.
    func size(for value: Int) -> Int? {
        let (product, overflowTimes) = value.multipliedReportingOverflow(by: times)
        let (sum, overflowPlus) = product.addingReportingOverflow(plus)
        return overflowTimes || overflowPlus ? nil : sum
    }

    public var description: String {
        var text: String
        switch base {
        case .fixed(let count): return String(count)
        case .lengthOf(let name): text = "length of \(name)"
        case .valueOf(let name): text = "value of \(name)"
        }
        if times != 1 { text += " × \(times)" }
        if plus != 0 { text += " + \(plus)" }
        return text
    }
}
