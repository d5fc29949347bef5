import Crypto
import Foundation
import OrdinautCore

/// Seals and opens the `requestState` of `input_required` results.
///
/// The state travels through the client, which may alter it, so it is authenticated with
/// HMAC-SHA256 and bound to the method, the target (tool name, URI, prompt) and a digest of the
/// arguments; it expires after a lifetime. A retry whose state does not verify is refused.
struct RequestStateCodec: Sendable {
    private let key: [UInt8]
    private let lifetime: Int

    init(key: [UInt8], lifetime: Int) {
        self.key = key
        self.lifetime = lifetime
    }

    static func digest(of arguments: JSONValue) -> String {
        Data(SHA256.hash(data: arguments.encoded())).base64URLEncoded()
    }

    func seal(method: String, target: String, arguments: JSONValue, keys: [String], now: Date = Date()) -> String {
        let payload: JSONValue = [
            "m": .string(method), "t": .string(target), "d": .string(Self.digest(of: arguments)),
            "k": .array(keys.sorted().map { .string($0) }),
            "e": .integer(Int64(now.timeIntervalSince1970) + Int64(lifetime)),
        ]
        let body = Data(payload.encoded()).base64URLEncoded()
        let mac = Data(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: key))).base64URLEncoded()
        return body + "." + mac
    }

    /// The keys the sealed state asked for, if `token` is authentic, unexpired and bound to this request.
    func open(_ token: String, method: String, target: String, arguments: JSONValue, now: Date = Date()) -> Result<[String], RPCError> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let mac = Data(base64URLEncoded: String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0].utf8), using: SymmetricKey(data: key)),
              let bodyData = Data(base64URLEncoded: String(parts[0])),
              let payload = try? JSONParser().parse(bodyData)
        else { return .failure(.invalidParams("requestState is not authentic; start the request again without it")) }
        guard let expiry = payload["e"]?.integerValue, expiry >= Int64(now.timeIntervalSince1970) else {
            return .failure(.invalidParams("requestState has expired; start the request again without it"))
        }
        guard payload["m"]?.stringValue == method, payload["t"]?.stringValue == target,
              payload["d"]?.stringValue == Self.digest(of: arguments)
        else { return .failure(.invalidParams("requestState belongs to a different request")) }
        return .success(payload["k"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}

extension Data {
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
