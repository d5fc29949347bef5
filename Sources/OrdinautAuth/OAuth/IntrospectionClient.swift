import Foundation
import OrdinautCore

/// Asks the authorization server about an opaque access token (RFC 7662): `POST token=…` to the
/// introspection endpoint with this resource server's client credentials (HTTP Basic).
///
/// An inactive token is rejected. An active one is held to the same rules as a JWT for whatever the
/// response states (`iss`, `aud`, `exp`, `nbf`, `iat`; see
/// ``AccessTokenValidator/checkIntrospection(_:now:)``). A server that cannot be asked, or that
/// refuses our credentials or answers nonsense, makes the token ``TokenRejection/Kind/unavailable``:
/// that is not the bearer's fault.
public struct IntrospectionClient: Sendable {
    /// The largest response accepted, in bytes.
    public static let maximumResponseBytes = 64 * 1024

    /// The introspection endpoint.
    public let endpoint: OAuthURL
    /// This resource server's client id at the authorization server.
    public let clientID: String
    private let clientSecret: String
    private let fetcher: any OAuthFetcher
    private let validator: AccessTokenValidator

    /// A client for `endpoint` that authenticates as `clientID` and checks claims with `validator`.
    public init(endpoint: OAuthURL, clientID: String, clientSecret: String, fetcher: any OAuthFetcher, validator: AccessTokenValidator) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.fetcher = fetcher
        self.validator = validator
    }

    /// The claims of `token` if the authorization server says it is active and they fit this resource.
    public func introspect(_ token: String, now: Date) async -> Result<AccessTokenClaims, TokenRejection> {
        let answer = await fetcher.postForm(
            endpoint.text, fields: [("token", token), ("token_type_hint", "access_token")],
            basicAuthorization: (user: clientID, password: clientSecret))
        let document: HTTPDocument
        switch answer {
        case .failure(let failure):
            return .failure(.unavailable("token introspection at \(endpoint) failed: \(failure.reason)"))
        case .success(let received):
            document = received
        }
        switch document.status {
        case 200: break
        case 401, 403:
            return .failure(.unavailable(
                "the authorization server refused this resource server's credentials at \(endpoint) (HTTP \(document.status)); check the introspection client id and secret"))
        default:
            return .failure(.unavailable("token introspection at \(endpoint) answered HTTP \(document.status)"))
        }
        guard document.body.count <= Self.maximumResponseBytes else {
            return .failure(.unavailable("the introspection response of \(endpoint) is over \(Self.maximumResponseBytes) bytes"))
        }
        let response: JSONObject
        do {
            let value = try JSONParser(maximumDepth: 16).parse(document.body)
            guard let object = value.objectValue else {
                return .failure(.unavailable("the introspection response of \(endpoint) is a JSON \(value.typeName), not an object"))
            }
            response = object
        } catch {
            return .failure(.unavailable("the introspection response of \(endpoint) is not valid JSON: \(error)"))
        }
        guard let active = response["active"]?.boolValue else {
            return .failure(.unavailable("the introspection response of \(endpoint) has no Boolean \"active\""))
        }
        guard active else {
            return .failure(.inactive("the authorization server reports the token as not active (expired, revoked or never issued)"))
        }
        return validator.checkIntrospection(response, now: now)
    }
}
