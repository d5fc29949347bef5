import Foundation
import Synchronization

/// Why a time zone cannot be used.
public struct TimeZoneError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// IANA time zones from the system database (`/usr/share/zoneinfo`, or `$ZONEINFO`), parsed once
/// each and cached.
public enum TimeZoneDatabase {
    private static let cache = Mutex<[String: ZoneRules]>([:])

    static var directory: String {
        ProcessInfo.processInfo.environment["ZONEINFO"] ?? "/usr/share/zoneinfo"
    }

    /// The rules of zone `identifier` (`Europe/Chisinau`, `UTC`).
    public static func zone(_ identifier: String) throws(TimeZoneError) -> ZoneRules {
        if let cached = cache.withLock({ $0[identifier] }) { return cached }
        guard !identifier.isEmpty, identifier.count <= 64, !identifier.hasPrefix("/"), !identifier.contains(".."),
              identifier.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) })
        else { throw TimeZoneError(description: "\"\(identifier)\" is not an IANA time zone name (such as Europe/Chisinau)") }
        let rules: ZoneRules
        if identifier == "UTC" || identifier == "Etc/UTC" {
            rules = .utc
        } else {
            guard let data = FileManager.default.contents(atPath: directory + "/" + identifier) else {
                throw TimeZoneError(description: "unknown time zone \"\(identifier)\"")
            }
            guard let parsed = TZif.parse(Array(data), identifier: identifier) else {
                throw TimeZoneError(description: "the time zone file for \"\(identifier)\" is not valid TZif")
            }
            rules = parsed
        }
        cache.withLock { $0[identifier] = rules }
        return rules
    }
}

/// RFC 8536 TZif files.
enum TZif {
    static func parse(_ bytes: [UInt8], identifier: String) -> ZoneRules? {
        guard bytes.count >= 44, bytes[0] == 0x54, bytes[1] == 0x5A, bytes[2] == 0x69, bytes[3] == 0x66 else { return nil }
        let version = bytes[4]
        func count(_ header: Int, _ index: Int) -> Int {
            let at = header + 20 + index * 4
            return Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        // Counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
        func blockLength(_ header: Int, timeSize: Int) -> Int {
            count(header, 3) * timeSize + count(header, 3) + count(header, 4) * 6 + count(header, 5)
                + count(header, 2) * (timeSize + 4) + count(header, 1) + count(header, 0)
        }
        var header = 0
        var timeSize = 4
        if version >= 0x32 {
            header = 44 + blockLength(0, timeSize: 4)
            timeSize = 8
            guard bytes.count >= header + 44 else { return nil }
        }
        let timeCount = count(header, 3), typeCount = count(header, 4)
        guard typeCount > 0 else { return nil }
        var position = header + 44
        guard bytes.count >= position + blockLength(header, timeSize: timeSize) else { return nil }
        func integer(_ at: Int, _ size: Int) -> Int {
            var value: UInt64 = 0
            for i in 0..<size { value = value << 8 | UInt64(bytes[at + i]) }
            if size == 4 { return Int(Int32(bitPattern: UInt32(value))) }
            return Int(Int64(bitPattern: value))
        }
        var transitions: [Int] = []
        for i in 0..<timeCount { transitions.append(integer(position + i * timeSize, timeSize)) }
        position += timeCount * timeSize
        var typeIndices: [Int] = []
        for i in 0..<timeCount { typeIndices.append(Int(bytes[position + i])) }
        position += timeCount
        var typeOffsets: [Int] = []
        for i in 0..<typeCount { typeOffsets.append(integer(position + i * 6, 4)) }
        position += typeCount * 6 + count(header, 5) + count(header, 2) * (timeSize + 4) + count(header, 1) + count(header, 0)
        guard typeIndices.allSatisfy({ $0 < typeCount }) else { return nil }
        var footer: PosixTZ? = nil
        if version >= 0x32, position < bytes.count, bytes[position] == 0x0A,
           let close = bytes[(position + 1)...].firstIndex(of: 0x0A) {
            footer = PosixTZ(String(decoding: bytes[(position + 1)..<close], as: UTF8.self))
        }
        return ZoneRules(identifier: identifier, transitions: transitions, offsets: typeIndices.map { typeOffsets[$0] },
                         initialOffset: typeOffsets[0], footer: footer)
    }
}
