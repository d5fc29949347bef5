import Foundation

extension Duration {
    /// The duration in seconds, with its fraction, for arithmetic with `Date`.
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
