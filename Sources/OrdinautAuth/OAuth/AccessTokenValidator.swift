import Foundation
import OrdinautCore

/// Decides whether a JWT access token (RFC 9068) is acceptable to this resource server. Pure: the key
/// set and the time are given, nothing is fetched or read from a clock.
///
/// The rules, in order: a `typ` of `at+jwt` or `JWT` if present; the key chosen by `kid` (see
/// ``JSONWebKeySet/key(for:algorithm:)``) and allowed for `alg`; a valid signature; `iss` equal to the
/// issuer; `aud` containing an accepted audience; `exp` required and `now < exp + leeway`; `nbf`, if
/// present, `now >= nbf - leeway`; `iat`, if present, not later than `now + leeway`; `sub` required.
public struct AccessTokenValidator: Sendable {
    /// The clock skew tolerated by default on `exp`, `nbf` and `iat`.
    public static let defaultLeeway: Duration = .seconds(60)

    /// The `iss` a token must carry, compared exactly.
    public let issuer: String
    /// The `aud` values of which a token must carry at least one: the resource URL (RFC 8707) and any
    /// configured aliases. Compared exactly.
    public let audiences: Set<String>
    /// The clock skew tolerated on `exp`, `nbf` and `iat`.
    public let leeway: Duration

    /// A validator for tokens of `issuer` meant for one of `audiences`.
    public init(issuer: String, audiences: some Sequence<String>, leeway: Duration = AccessTokenValidator.defaultLeeway) {
        self.issuer = issuer
        self.audiences = Set(audiences)
        self.leeway = leeway
    }

    /// Parses and checks a compact JWT access token.
    public func validate(_ token: String, keys: JSONWebKeySet, now: Date) -> Result<AccessTokenClaims, TokenRejection> {
        do {
            return validate(try CompactJWS(parsing: token), keys: keys, now: now)
        } catch {
            return .failure(error)
        }
    }

    /// Checks an already parsed JWT access token.
    public func validate(_ token: CompactJWS, keys: JSONWebKeySet, now: Date) -> Result<AccessTokenClaims, TokenRejection> {
        if let type = token.type, !Self.isAccessTokenType(type) {
            return .failure(.forbiddenHeader(
                "the token's typ is \"\(TokenRejection.excerpt(type, limit: 32))\"; an access token has typ \"at+jwt\" or \"JWT\""))
        }
        let key: JSONWebKey
        switch keys.key(for: token.keyID, algorithm: token.algorithm) {
        case .success(let found): key = found
        case .failure(let rejection): return .failure(rejection)
        }
        do {
            try key.verify(signature: token.signature, message: token.signingInput, algorithm: token.algorithm)
        } catch {
            return .failure(error)
        }
        return checkClaims(token.payload, now: now)
    }

    /// Checks the claims of a token whose signature is already verified.
    public func checkClaims(_ payload: JSONObject, now: Date) -> Result<AccessTokenClaims, TokenRejection> {
        do {
            let reader = ClaimReader(payload: payload)
            let issuer = try reader.string("iss")
            guard let issuer else { return .failure(.invalidClaims("the token has no \"iss\"")) }
            try checkIssuer(issuer)
            let audiences = try reader.audiences()
            guard let audiences else { return .failure(.invalidClaims("the token has no \"aud\"; it must name this resource (\(expectedAudiences))")) }
            try checkAudiences(audiences)
            guard let expiresAt = try reader.date("exp") else { return .failure(.invalidClaims("the token has no \"exp\"")) }
            let times = try checkTimes(expiresAt: expiresAt, reader: reader, now: now)
            guard let subject = try reader.string("sub") else {
                return .failure(.invalidClaims("the token has no \"sub\" (RFC 9068 section 2.2 requires it)"))
            }
            return .success(AccessTokenClaims(
                subject: subject, clientID: try reader.string("client_id"), issuer: issuer, audiences: audiences,
                expiresAt: expiresAt, notBefore: times.notBefore, issuedAt: times.issuedAt,
                tokenID: try reader.string("jti"), scopes: try reader.scopes()))
        } catch {
            return .failure(error)
        }
    }

    /// Checks the members of an active introspection response (RFC 7662 §2.2). Every claim is optional
    /// there, so `iss`, `aud`, `exp`, `nbf` and `iat` are checked when present; `sub` falls back to
    /// `client_id` (the client acting for itself), and one of the two is required.
    public func checkIntrospection(_ response: JSONObject, now: Date) -> Result<AccessTokenClaims, TokenRejection> {
        do {
            let reader = ClaimReader(payload: response)
            let issuer = try reader.string("iss")
            if let issuer { try checkIssuer(issuer) }
            let audiences = try reader.audiences()
            if let audiences { try checkAudiences(audiences) }
            let expiresAt = try reader.date("exp")
            let times = try checkTimes(expiresAt: expiresAt, reader: reader, now: now)
            let subject = try reader.string("sub")
            let clientID = try reader.string("client_id")
            guard subject != nil || clientID != nil else {
                return .failure(.invalidClaims("the introspection response has neither \"sub\" nor \"client_id\""))
            }
            return .success(AccessTokenClaims(
                subject: subject, clientID: clientID, issuer: issuer, audiences: audiences ?? [], expiresAt: expiresAt,
                notBefore: times.notBefore, issuedAt: times.issuedAt, tokenID: try reader.string("jti"),
                scopes: try reader.scopes()))
        } catch {
            return .failure(error)
        }
    }

    /// `at+jwt` (RFC 9068 §2.1) or plain `JWT`, in any case, with or without `application/`.
    static func isAccessTokenType(_ type: String) -> Bool {
        var name = type.lowercased()
        if name.hasPrefix("application/") { name.removeFirst("application/".count) }
        return name == "at+jwt" || name == "jwt"
    }

    private var expectedAudiences: String {
        audiences.sorted().map { "\"\($0)\"" }.joined(separator: " or ")
    }

    private func checkIssuer(_ found: String) throws(TokenRejection) {
        guard found == issuer else {
            throw .invalidClaims("the token was issued by \"\(TokenRejection.excerpt(found, limit: 96))\", not by the configured issuer \"\(issuer)\"")
        }
    }

    private func checkAudiences(_ found: [String]) throws(TokenRejection) {
        guard found.contains(where: audiences.contains) else {
            let list = found.prefix(4).map { "\"\(TokenRejection.excerpt($0, limit: 96))\"" }.joined(separator: ", ")
            throw .invalidClaims("the token is meant for \(list.isEmpty ? "no audience" : list), not for this resource (\(expectedAudiences))")
        }
    }

    private func checkTimes(
        expiresAt: Date?, reader: ClaimReader, now: Date
    ) throws(TokenRejection) -> (notBefore: Date?, issuedAt: Date?) {
        let leeway = self.leeway.seconds
        let current = now.timeIntervalSince1970
        if let expiresAt, !(current < expiresAt.timeIntervalSince1970 + leeway) {
            throw .expired("the token expired at \(Self.format(expiresAt)) (now \(Self.format(now)), leeway \(Int(leeway)) s)")
        }
        let notBefore = try reader.date("nbf")
        if let notBefore, !(current >= notBefore.timeIntervalSince1970 - leeway) {
            throw .invalidClaims("the token is not valid before \(Self.format(notBefore)) (now \(Self.format(now)), leeway \(Int(leeway)) s)")
        }
        let issuedAt = try reader.date("iat")
        if let issuedAt, issuedAt.timeIntervalSince1970 > current + leeway {
            throw .invalidClaims("the token was issued in the future, at \(Self.format(issuedAt)) (now \(Self.format(now))); check the clocks")
        }
        return (notBefore, issuedAt)
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
