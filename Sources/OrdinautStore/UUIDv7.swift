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
        var random = SystemRandomNumberGenerator()
        let high = milliseconds << 16 | 0x7000 | UInt64(counter & 0x0FFF)
        let low = random.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        // 36 characters written in place: one allocation, where formatting byte by byte made dozens.
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            func write(_ word: UInt64) {
                for shift in stride(from: 60, through: 0, by: -4) {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = hexDigits[Int(word >> UInt64(shift) & 0xF)]
                    position += 1
                }
            }
            write(high)
            write(low)
            return position
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static let clock = Mutex<(milliseconds: UInt64, counter: UInt16)>((0, 0))
}
