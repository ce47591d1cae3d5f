/// What a C call produced: its return value (nil for `void`) and the bytes of its output buffers in argument order.
public struct FFIRawResult: Sendable, Hashable {
    public var returnValue: FFIValue?
    public var outputs: [[UInt8]]

    public init(returnValue: FFIValue?, outputs: [[UInt8]]) {
        self.returnValue = returnValue
        self.outputs = outputs
    }
}
