import OrdinautCore

/// Byte-level checks on header values. Header names and the tokens compared here are ASCII, and these
/// run on every request: they avoid Foundation's locale-aware string search and case mapping.
package enum HeaderText {
    /// Whether `value` contains `token`, ignoring ASCII case.
    package static func contains(_ value: String, _ token: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
        var value = value
        return value.withUTF8 { haystack in
            guard needle.count <= haystack.count else { return false }
            var start = 0
            while start + needle.count <= haystack.count {
                var matched = true
                for i in 0..<needle.count where haystack[start + i].asciiLowercased != needle[i].asciiLowercased {
                    matched = false
                    break
                }
                if matched { return true }
                start += 1
            }
            return false
        }
    }

    /// Whether `value` starts with `token`, ignoring ASCII case.
    package static func hasPrefix(_ value: String, _ token: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
        var value = value
        return value.withUTF8 { haystack in
            guard needle.count <= haystack.count else { return false }
            for i in 0..<needle.count where haystack[i].asciiLowercased != needle[i].asciiLowercased { return false }
            return true
        }
    }

    /// `value` in lower case, without allocating when it already is.
    package static func lowercased(_ value: String) -> String {
        value.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) ? value.lowercased() : value
    }
}
