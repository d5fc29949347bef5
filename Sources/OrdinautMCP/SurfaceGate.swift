import Synchronization

/// Holds requests that read or use the registries while they are still being filled — eager
/// extensions registering their tools at start — so that no `tools/list` or `tools/call` is
/// answered from half a surface. Open unless someone holds it.
final class SurfaceGate: Sendable {
    private let pending = Mutex<OneShot<Void>?>(nil)

    /// Requests wait from now on until `open()`.
    func hold() {
        pending.withLock { if $0 == nil { $0 = OneShot() } }
    }

    /// Lets waiting and later requests through; calling it again does nothing.
    func open() {
        let waiting = pending.withLock { pending in
            defer { pending = nil }
            return pending
        }
        waiting?.fire()
    }

    /// Returns when the gate is open.
    func pass() async {
        guard let waiting = pending.withLock({ $0 }) else { return }
        _ = await waiting.value()
    }
}
