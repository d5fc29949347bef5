import Synchronization

/// Holds requests that read or use the registries while they are still being filled — the engine
/// being built behind an already-serving transport, eager extensions registering their tools — so
/// that no `tools/list` or `tools/call` is answered from half a surface. Open while nobody holds it;
/// each filler holds it with a `SurfaceHold` of its own and releases that when done.
final class SurfaceGate: Sendable {
    private struct State {
        var holds = 0
        /// Every request waiting for the gate to open (many may wait at once).
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Requests wait from now on until this hold and every other is released.
    func hold() -> SurfaceHold {
        state.withLock { $0.holds += 1 }
        return SurfaceHold(gate: self)
    }

    fileprivate func release() {
        let opened = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.holds -= 1
            guard state.holds == 0 else { return [] }
            defer { state.waiting = [] }
            return state.waiting
        }
        for waiter in opened { waiter.resume() }
    }

    /// Whether someone holds the gate now.
    var isHeld: Bool { state.withLock { $0.holds > 0 } }

    /// Returns when the gate is open.
    func pass() async {
        guard state.withLock({ $0.holds > 0 }) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { state -> Bool in
                guard state.holds > 0 else { return true }
                state.waiting.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }
}

/// One filler's hold on the surface (`MCPServer.holdSurface()`); releasing it twice does nothing.
public final class SurfaceHold: Sendable {
    private let gate: SurfaceGate
    private let released = Atomic(false)

    fileprivate init(gate: SurfaceGate) {
        self.gate = gate
    }

    /// This filler is done; requests go on once every hold is released.
    public func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        gate.release()
    }
}
