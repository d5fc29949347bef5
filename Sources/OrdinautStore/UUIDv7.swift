import Synchronization

/// Row ids: UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, a 12-bit counter that keeps ids of the
/// same millisecond in order within this process, then random bits — so ids sort by creation and new
/// rows land at the end of their primary-key index instead of on a random page.
public enum UUIDv7 {
    /// A new id, later than every id this process made before.
    public static func make() -> String {
        let (milliseconds, counter) = clock.withLock { state -> (UInt64, UInt16) in
            let now = UInt64(StoreCore.systemClock())
            if now > state.milliseconds {
                state = (now, 0)
            } else if state.counter == 0x0FFF {
                state = (state.milliseconds + 1, 0)
            } else {
                state.counter += 1
            }
            return (state.milliseconds, state.counter)
        }
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let hex = Array(bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }

    private static let clock = Mutex<(milliseconds: UInt64, counter: UInt16)>((0, 0))
}
