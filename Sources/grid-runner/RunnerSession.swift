import CGridPluginABI
import CGridRunner
import GridFFICall
import GridRunnerProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The runner's loop: reads a request, carries it out, writes the reply, until the worker closes the channel.
struct RunnerSession {
    /// A descriptor that stays valid for the life of the process (RTLD_NODELETE, never closed).
    struct Plugin {
        let descriptor: UnsafePointer<grid_plugin>
    }

    let channel: Int32
    private var plugins: [Plugin] = []
    /// The libraries of the FFI manifests loaded, kept open for the life of the process.
    private var libraries: [FFILibrary] = []
    /// Makes FFI calls; it opens each library again on first use (dlopen counts references, so the handle is shared).
    private var invoker = FFIInvoker()

    init(channel: Int32) {
        self.channel = channel
    }

    mutating func serve() {
        while let body = readFrame() {
            let request: RunnerRequest
            do {
                request = try RunnerRequest(decoding: body)
            } catch {
                return  // the worker never sends a malformed frame; stop rather than guess
            }
            let reply: RunnerReply
            switch request {
            case .load(let path):
                reply = load(path)
            case .initialize(let index):
                reply = initialize(index)
            case .invoke(let index, let capability, let input):
                reply = invoke(index, capability: capability, input: input)
            case .ffiLoad(let library, let symbols):
                reply = ffiLoad(library, symbols: symbols)
            case .ffiCall(let plan):
                reply = ffiCall(plan)
            }
            guard writeAll(RunnerFrame.framed(reply.encoded())) else { exit(RunnerFrame.channelLostStatus) }
        }
    }

    private mutating func load(_ path: String) -> RunnerReply {
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            return .loadFailed(.openFailed, reason: takeDLError())
        }
        _ = dlerror()
        guard let symbol = dlsym(handle, GRID_PLUGIN_ENTRY_SYMBOL) else {
            let reason = takeDLError()
            dlclose(handle)
            return .loadFailed(.missingEntry, reason: reason)
        }
        let entry = unsafeBitCast(symbol, to: grid_plugin_entry_fn.self)
        guard let descriptor = entry() else { return .loadFailed(.nullDescriptor, reason: "") }
        plugins.append(Plugin(descriptor: descriptor))
        return .loaded(plugin: UInt32(plugins.count - 1), DescriptorSnapshot(reading: descriptor))
    }

    private func initialize(_ index: UInt32) -> RunnerReply {
        guard let plugin = plugin(index) else { return .initialized(code: GRID_PLUGIN_ERROR) }
        return .initialized(code: plugin.descriptor.pointee.`init`?() ?? GRID_PLUGIN_OK)
    }

    private func invoke(_ index: UInt32, capability: String, input: [UInt8]) -> RunnerReply {
        guard let plugin = plugin(index), let invoke = plugin.descriptor.pointee.invoke,
              let freeBuffer = plugin.descriptor.pointee.free_buffer
        else {
            let message = Array("the runner has no plugin number \(index) with invoke and free_buffer".utf8)
            return .result(InvocationReport(resultCode: GRID_PLUGIN_ERROR, output: message, cpuMicroseconds: 0))
        }
        grid_runner_reset_failed_allocation()
        let cpuBefore = grid_runner_cpu_microseconds()
        var output = grid_buffer(data: nil, length: 0)
        let code = capability.withCString { name in
            input.withUnsafeBufferPointer { invoke(name, $0.baseAddress, $0.count, &output) }
        }
        let cpu = grid_runner_cpu_microseconds() &- cpuBefore
        var bytes: [UInt8] = []
        var lengthWithoutData = false
        if let data = output.data {
            var length = output.length
            if code != GRID_PLUGIN_OK { length = min(length, InvocationReport.maximumMessageBytes) }
            bytes = Array(UnsafeBufferPointer(start: data, count: min(length, RunnerFrame.maximumLength - 64)))
            if output.length > RunnerFrame.maximumLength - 64 { bytes.append(0) }  // over the limit either way
            freeBuffer(output)
        } else if output.length != 0 {
            lengthWithoutData = true
        }
        return .result(InvocationReport(resultCode: code, output: bytes, lengthWithoutData: lengthWithoutData,
                                        cpuMicroseconds: cpu, failedAllocation: grid_runner_failed_allocation()))
    }

    /// Opens an FFI manifest's library and resolves every symbol it declares, so a manifest that cannot be served
    /// is refused when it is loaded rather than at its first job.
    private mutating func ffiLoad(_ library: String, symbols: [String]) -> RunnerReply {
        do {
            let opened = try FFILibrary(opening: library)
            for symbol in symbols {
                _ = try opened.address(of: symbol)
            }
            libraries.append(opened)
            return .ffiLoaded
        } catch {
            let failure: RunnerReply.LoadFailure = error.kind == .symbolNotFound ? .missingSymbol : .openFailed
            return .loadFailed(failure, reason: error.description)
        }
    }

    /// One FFI call: the plan was checked by the worker; a crash inside the C function kills this runner only.
    private mutating func ffiCall(_ plan: [UInt8]) -> RunnerReply {
        grid_runner_reset_failed_allocation()
        let cpuBefore = grid_runner_cpu_microseconds()
        let reply = invoker.serve(plan)
        let cpu = grid_runner_cpu_microseconds() &- cpuBefore
        return .ffiResult(reply: reply, cpuMicroseconds: cpu, failedAllocation: grid_runner_failed_allocation())
    }

    private func plugin(_ index: UInt32) -> Plugin? {
        Int(index) < plugins.count ? plugins[Int(index)] : nil
    }

    private func takeDLError() -> String {
        guard let message = dlerror() else { return "no reason given by the dynamic loader" }
        return String(cString: message)
    }

    // MARK: Channel

    /// The next frame's body, or nil at the end of the channel or on a frame this runner cannot read.
    private func readFrame() -> [UInt8]? {
        var header = [UInt8](repeating: 0, count: 4)
        guard readExactly(&header) else { return nil }
        guard let length = try? RunnerFrame.bodyLength(header: header) else { return nil }
        var body = [UInt8](repeating: 0, count: length)
        guard readExactly(&body) else { return nil }
        return body
    }

    private func readExactly(_ buffer: inout [UInt8]) -> Bool {
        ChannelIO.readExactly(channel, into: &buffer)
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        ChannelIO.writeAll(channel, bytes)
    }
}
