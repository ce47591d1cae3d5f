import CGridPluginABI
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs plugins inside the worker's own process (`grid worker --in-process`): no isolation at all.
///
/// A plugin that crashes takes the worker down, and one that overruns its timeout is answered as failed at the
/// deadline while its thread runs on. Only for plugins the operator trusts completely (docs/plugin-isolation.md).
public struct InProcessHost: PluginHost {
    public let registry: PluginRegistry

    public init(registry: PluginRegistry) {
        self.registry = registry
    }

    public var plugins: [LoadedPlugin] { registry.plugins }

    public func invoke(capability: String, input: [UInt8], timeout: Duration) async -> Invocation {
        let registry = self.registry
        let pluginName = registry.plugin(for: capability)?.name ?? "?"
        return await withCheckedContinuation { (continuation: CheckedContinuation<Invocation, Never>) in
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            // A timer source, cancelled when the call ends first, so it does not stay queued until the deadline.
            let timer = DispatchSource.makeTimerSource(queue: .global())
            let once = Once(continuation, timer: timer)
            timer.schedule(deadline: .now() + .nanoseconds(nanoseconds))
            timer.setEventHandler {
                once.resume(.failure(.timedOut(plugin: pluginName, capability: capability, timeout: timeout,
                                                  runnerKilled: false)))
            }
            timer.resume()
            DispatchQueue.global().async {
                let start = Self.threadCPU()
                let result: Result<[UInt8], PluginError>
                do {
                    result = .success(try registry.invoke(capability: capability, input: input))
                } catch let error as PluginError {
                    result = .failure(error)
                } catch {
                    result = .failure(.reported(plugin: pluginName, capability: capability,
                                                resultCode: GRID_PLUGIN_ERROR, message: "\(error)"))
                }
                once.resume(Invocation(result: result, cpu: Self.threadCPU() - start))
            }
        }
    }

    public func shutdown() async {}

    private static func threadCPU() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }

    /// Resumes a continuation once, from whichever racer (plugin thread or timer) comes first, and cancels the timer.
    /// `@unchecked Sendable`: the continuation is behind a `Mutex`, and `DispatchSourceTimer.cancel()` is thread-safe.
    private final class Once: @unchecked Sendable {
        private let continuation: Mutex<CheckedContinuation<Invocation, Never>?>
        private let timer: DispatchSourceTimer

        init(_ continuation: CheckedContinuation<Invocation, Never>, timer: DispatchSourceTimer) {
            self.continuation = Mutex(continuation)
            self.timer = timer
        }

        func resume(_ value: Invocation) {
            let taken = continuation.withLock { slot in
                defer { slot = nil }
                return slot
            }
            timer.cancel()
            taken?.resume(returning: value)
        }
    }
}
