import Foundation

/// Decides whether a new span is recorded and exported, as `OTEL_TRACES_SAMPLER` names it.
public indirect enum Sampler: Sendable, Equatable {
    case alwaysOn
    case alwaysOff
    /// Samples this fraction of traces, decided by the trace id alone so that every node agrees.
    case traceIDRatio(Double)
    /// Follows the parent's sampled flag; a root span asks `root`.
    case parentBased(root: Sampler)

    /// Whether a span of trace `traceID` under `parent` (nil for a root span) is sampled.
    public func shouldSample(traceID: TraceID, parent: SpanContext?) -> Bool {
        switch self {
        case .alwaysOn: return true
        case .alwaysOff: return false
        case .traceIDRatio(let ratio):
            if ratio >= 1 { return true }
            if ratio <= 0 { return false }
            // The low 63 bits of the id are uniformly random: compare them with the ratio's share of 2^63.
            let bound = UInt64(ratio * 9_223_372_036_854_775_808.0)
            return traceID.low & 0x7fff_ffff_ffff_ffff < bound
        case .parentBased(let root):
            guard let parent else { return root.shouldSample(traceID: traceID, parent: nil) }
            return parent.isSampled
        }
    }

    /// The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` select; the default is
    /// `parentbased_always_on`. A ratio outside 0…1 or not a number is an error, not a guess.
    public static func named(_ name: String?, argument: String?) throws(TracingConfigurationError) -> Sampler {
        func ratio() throws(TracingConfigurationError) -> Double {
            guard let argument else { return 1 }
            guard let value = Double(argument.trimmingCharacters(in: .whitespaces)), (0...1).contains(value) else {
                throw TracingConfigurationError("OTEL_TRACES_SAMPLER_ARG=\(argument): the ratio must be a number from 0 to 1 (0.01 samples 1 %)")
            }
            return value
        }
        switch name?.trimmingCharacters(in: .whitespaces).lowercased() ?? "parentbased_always_on" {
        case "always_on": return .alwaysOn
        case "always_off": return .alwaysOff
        case "traceidratio": return .traceIDRatio(try ratio())
        case "parentbased_always_on", "": return .parentBased(root: .alwaysOn)
        case "parentbased_always_off": return .parentBased(root: .alwaysOff)
        case "parentbased_traceidratio": return .parentBased(root: .traceIDRatio(try ratio()))
        case let other:
            throw TracingConfigurationError("OTEL_TRACES_SAMPLER=\(other) is not supported; use always_on, always_off, traceidratio, "
                                            + "parentbased_always_on, parentbased_always_off or parentbased_traceidratio")
        }
    }
}
