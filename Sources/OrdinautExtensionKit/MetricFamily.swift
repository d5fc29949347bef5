/// One metric family as the registry declares it: a name in Prometheus form, its help text, and
/// whether it counts, measures or distributes. Values are in base units (seconds, bytes).
public struct MetricFamily: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case counter
        case gauge
        /// Upper bounds of the buckets, ascending (`+Inf` is added by the registry).
        case histogram(buckets: [Double])
    }

    /// The full name, with `_total` for counters and the unit suffix (`_seconds`, `_bytes`).
    public let name: String
    public let help: String
    public let kind: Kind

    public init(_ name: String, help: String, kind: Kind) {
        self.name = name
        self.help = help
        self.kind = kind
    }

    /// Buckets for latencies from 100 µs to 10 s.
    public static let latencyBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Buckets for work that takes from milliseconds to an hour (runs, steps, queue waits).
    public static let workBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]

    /// Whether `name` is a valid Prometheus metric or label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }
    }
}

/// The store of metric values behind `/metrics`. The `observability` extension provides one (in the
/// Prometheus text format) through `ExtensionMetrics.install(_:)`; until one is installed, the host
/// records nothing. A class, so that reading the installed one costs a retain, not an existential copy.
public protocol MetricsRegistry: AnyObject, Sendable {
    /// Adds `amount` (≥ 0) to a counter.
    func increment(_ family: MetricFamily, labels: [(String, String)], by amount: Double)
    /// Sets a counter whose running total is kept elsewhere (by the kernel, by another component).
    func setTotal(_ family: MetricFamily, labels: [(String, String)], to total: Double)
    func set(_ family: MetricFamily, labels: [(String, String)], to value: Double)
    func observe(_ family: MetricFamily, labels: [(String, String)], _ value: Double)
    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    func render() -> [UInt8]
}
