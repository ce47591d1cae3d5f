import FuzzSupport

// Exported under libFuzzer's name too: the linker resolves libFuzzer's own `main` object against it, though the
// program starts in `FuzzDriver.main` below.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    FrameDecoderHarness.run(&input)
    return 0
}

FuzzDriver.main(seeds: FrameDecoderHarness.seeds, testOneInput)
