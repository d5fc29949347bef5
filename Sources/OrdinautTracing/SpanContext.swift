/// The identity of a span as W3C Trace Context carries it: a 16-byte trace id, an 8-byte span id,
/// the trace flags (bit 0: sampled) and the vendor `tracestate`.
public struct SpanContext: Sendable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var flags: UInt8
    public var traceState: String?
    /// Whether it came from another process (a header or `_meta`) rather than a span of ours.
    public var isRemote: Bool

    public init(traceID: TraceID, spanID: SpanID, flags: UInt8, traceState: String? = nil, isRemote: Bool = false) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
        self.traceState = traceState
        self.isRemote = isRemote
    }

    public var isSampled: Bool { flags & 1 == 1 }

    /// The `traceparent` value: `00-<trace id>-<span id>-<flags>`.
    public var traceparent: String {
        "00-\(traceID.hex)-\(spanID.hex)-\(Hex.byte(flags))"
    }

    /// Parses a `traceparent` value, or returns `nil` for anything the W3C recommendation rejects:
    /// a wrong length or separator, uppercase or non-hex digits, version `ff`, an all-zero trace or
    /// span id. A future version may append fields after a `-`; version 00 may not.
    public init?(traceparent text: String, traceState: String? = nil) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
              let version = Hex.value(bytes[0..<2]), version != 0xff else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 && bytes[55] != UInt8(ascii: "-") {
            return nil
        }
        guard let high = Hex.value(bytes[3..<19]), let low = Hex.value(bytes[19..<35]), let span = Hex.value(bytes[36..<52]),
              let flags = Hex.value(bytes[53..<55]), high != 0 || low != 0, span != 0 else { return nil }
        self.init(traceID: TraceID(high: high, low: low), spanID: SpanID(span), flags: UInt8(flags),
                  traceState: Self.validTraceState(traceState), isRemote: true)
    }

    /// A `tracestate` is kept only when it is short and printable; a bad one is dropped, never the trace.
    static func validTraceState(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text.utf8.count <= 512,
              text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return nil }
        return text
    }
}

/// A 16-byte trace id.
public struct TraceID: Sendable, Hashable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static func random() -> TraceID {
        var generator = IDGenerator()
        var id = TraceID(high: generator.next(), low: generator.next())
        while id.high == 0 && id.low == 0 { id = TraceID(high: generator.next(), low: generator.next()) }
        return id
    }

    public var hex: String { Hex.word(high) + Hex.word(low) }
}

/// An 8-byte span id.
public struct SpanID: Sendable, Hashable {
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    public static func random() -> SpanID {
        var generator = IDGenerator()
        return SpanID(.random(in: 1 ... .max, using: &generator))
    }

    public var hex: String { Hex.word(value) }
}

/// Lowercase hexadecimal, as W3C Trace Context and OTLP/JSON spell ids.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func word(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 { buffer[index] = digits[Int((value >> UInt64(60 - index * 4)) & 0xf)] }
            return 16
        }
    }

    static func byte(_ value: UInt8) -> String {
        String(decoding: [digits[Int(value >> 4)], digits[Int(value & 0xf)]], as: UTF8.self)
    }

    /// The value of up to 16 lowercase hex digits; `nil` for any other character.
    static func value(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        var result: UInt64 = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            result = result << 4 | UInt64(digit)
        }
        return result
    }
}
