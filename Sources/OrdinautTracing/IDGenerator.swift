import Synchronization

/// Where trace and span ids come from: xoshiro256** seeded once from the system's generator.
///
/// An id must be unpredictable enough not to collide, not secret, and a span is started for every
/// traced request, sampled or not; the system generator costs a `getrandom` system call per
/// number, three a request. OpenTelemetry's SDKs make ids the same way.
struct IDGenerator: RandomNumberGenerator {
    typealias State = (UInt64, UInt64, UInt64, UInt64)

    private static let state: Mutex<State> = {
        var system = SystemRandomNumberGenerator()
        var seed = (system.next() as UInt64, system.next() as UInt64, system.next() as UInt64, system.next() as UInt64)
        if seed == (0, 0, 0, 0) { seed.0 = 1 }  // the one state xoshiro cannot leave
        return Mutex(seed)
    }()

    mutating func next() -> UInt64 {
        Self.state.withLock { Self.step(&$0) }
    }

    /// One step of xoshiro256**: the next number, and the state moved on.
    static func step(_ s: inout State) -> UInt64 {
        let result = rotate(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotate(s.3, 45)
        return result
    }

    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
