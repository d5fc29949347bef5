/// The part of a request path below `/ext/<id>/static/`, checked before it touches a file: each
/// segment is percent-decoded once, and a path is refused (`nil`) when a segment is `.` or `..`,
/// would hide a separator (`%2f`, `%5c`, a backslash), holds a NUL or a control character, is
/// empty between two slashes, or is malformed percent-encoding. What remains can only name
/// something inside the folder by its text; symlinks are the file source's to check.
struct StaticPath: Equatable, Sendable {
    /// The decoded segments; empty for the folder itself.
    let segments: [String]
    /// The request named a folder (`/static/`, `/static/docs/`): answer its `index.html`.
    let namesFolder: Bool

    /// `raw` is what follows `/static` in the undecoded request path: `""`, `"/"` or `"/a/b.css"`.
    init?(raw: Substring) {
        if raw.isEmpty {
            segments = []
            namesFolder = true
            return
        }
        guard raw.first == "/" else { return nil }
        var pieces = raw.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        namesFolder = pieces.last?.isEmpty ?? true
        if namesFolder { pieces.removeLast() }
        var decoded: [String] = []
        for piece in pieces {
            guard let segment = Self.decode(piece), !segment.isEmpty, segment != ".", segment != ".." else { return nil }
            decoded.append(segment)
        }
        segments = decoded
    }

    /// `a/b.css`, the segments joined: the name below the folder.
    var relative: String { segments.joined(separator: "/") }

    /// Percent-decodes one segment, refusing separators, control characters and invalid UTF-8.
    static func decode(_ piece: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = piece.utf8.startIndex
        let utf8 = piece.utf8
        while index < utf8.endIndex {
            var byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex,
                      let high = hex(utf8[first]), let low = hex(utf8[utf8.index(after: first)]) else { return nil }
                byte = high << 4 | low
                index = utf8.index(first, offsetBy: 2)
            } else {
                index = utf8.index(after: index)
            }
            guard byte >= 0x20, byte != 0x7F, byte != UInt8(ascii: "/"), byte != UInt8(ascii: "\\") else { return nil }
            bytes.append(byte)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
