import Foundation

/// Where a listing's next page starts: the sort key of the last row of the page before. Clients
/// see it as an opaque token (base64url of `t.<created_at>.<id>` or `r.<id>`); a token that does
/// not parse, or belongs to the other listing, is refused rather than read as the first page.
public enum ListCursor: Sendable, Equatable {
    /// Tasks are listed by (created_at, id).
    case task(createdAt: Int64, id: String)
    /// Runs are listed by id, newest first.
    case run(id: String)

    public var token: String {
        let text = switch self {
        case .task(let createdAt, let id): "t.\(createdAt).\(id)"
        case .run(let id): "r.\(id)"
        }
        return Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Parses a token of the listing `kind` (`task` or `run`); nil when it is not one.
    public init?(token: String, kind: String) {
        guard token.utf8.count <= 200, token.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        func isID(_ id: Substring) -> Bool { !id.isEmpty && id.utf8.count <= 100 && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } }
        if kind == "task", parts.count == 3, parts[0] == "t", let createdAt = Int64(parts[1]), isID(parts[2]) {
            self = .task(createdAt: createdAt, id: String(parts[2]))
        } else if kind == "run", text.hasPrefix("r."), isID(text.dropFirst(2)) {
            self = .run(id: String(text.dropFirst(2)))
        } else {
            return nil
        }
    }
}
