/// A thread that waits in `poll` for input of its own and can read other descriptors' lines beside
/// it: the stdio transport's thread. A line that thread reads itself resumes the task waiting for it
/// on that same thread, where a reading thread of its own would have to wake it, which costs every
/// answer from a subprocess extension two context switches and a wake-up pipe's write and read.
package protocol LineReactor: AnyObject, Sendable {
    /// Reads `reader`'s descriptor from now on and hands its lines and its end to `reader` on the
    /// reactor's thread. False when the reactor no longer runs: the caller reads on a thread instead.
    /// A reactor that stops while it still reads a descriptor gives it a reading thread of its own.
    func watch(_ reader: LineReader) -> Bool
}
