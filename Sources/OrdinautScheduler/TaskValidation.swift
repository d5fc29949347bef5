import Foundation
import OrdinautAuth
import OrdinautCore
import OrdinautStore

extension TaskService {
    /// What `POST /tasks/validate` answers: whether `input` would be created as `principal`, and if
    /// not where it fails — `{valid, errors: [{path, message}]}`, `path` a JSON pointer into the
    /// body. The checks are `create`'s own and stop at the first failure, as `create` does.
    public func validate(_ input: JSONObject, principal: Principal) -> JSONValue {
        do throws(InputError) {
            _ = try prepare(input, principal: principal)
            return ["valid": true, "errors": []]
        } catch {
            return ["valid": false, "errors": [["path": .string(Self.pointer(field: error.field)), "message": .string(error.message)]]]
        }
    }

    /// `payload.pipeline[1].with.url` as the JSON pointer `/payload/pipeline/1/with/url`.
    static func pointer(field: String?) -> String {
        guard let field, !field.isEmpty else { return "" }
        var tokens: [String] = []
        for part in field.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                if bracket > rest.startIndex { tokens.append(String(rest[..<bracket])) }
                rest = rest[bracket...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    tokens.append(String(rest[rest.index(after: rest.startIndex)..<close]))
                    rest = rest[rest.index(after: close)...]
                }
                if !rest.isEmpty { tokens.append(String(rest)) }
            } else {
                tokens.append(String(rest))
            }
        }
        return tokens.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
    }
}
