import OrdinautCore

/// What Ordinaut needs from its authorization server's metadata (RFC 8414, OpenID Connect
/// Discovery): the verified issuer, where its keys are and where to introspect (as a resource
/// server), and where to send a browser and exchange its code (as the web UI's client).
public struct AuthorizationServerMetadata: Sendable, Hashable {
    /// The largest metadata document accepted, in bytes.
    public static let maximumDocumentBytes = 256 * 1024

    /// `issuer`, equal to the configured issuer.
    public let issuer: String
    /// `jwks_uri`, if the server publishes keys.
    public let jwksURI: OAuthURL?
    /// `introspection_endpoint`, if the server offers introspection.
    public let introspectionEndpoint: OAuthURL?
    /// `authorization_endpoint`, where a browser signs in.
    public let authorizationEndpoint: OAuthURL?
    /// `token_endpoint`, where a code is exchanged for tokens.
    public let tokenEndpoint: OAuthURL?
    /// `registration_endpoint` (RFC 7591), where a client may register itself.
    public let registrationEndpoint: OAuthURL?
    /// `code_challenge_methods_supported`; `nil` when the document does not say.
    public let codeChallengeMethods: [String]?
    /// `authorization_response_iss_parameter_supported` (RFC 9207): authorization responses then
    /// must carry `iss`.
    public let issuesResponseIssuer: Bool
    /// The URL the document was read from.
    public let source: String

    /// Metadata with these members.
    public init(issuer: String, jwksURI: OAuthURL?, introspectionEndpoint: OAuthURL?, source: String,
                authorizationEndpoint: OAuthURL? = nil, tokenEndpoint: OAuthURL? = nil, registrationEndpoint: OAuthURL? = nil,
                codeChallengeMethods: [String]? = nil, issuesResponseIssuer: Bool = false) {
        self.issuer = issuer
        self.jwksURI = jwksURI
        self.introspectionEndpoint = introspectionEndpoint
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.registrationEndpoint = registrationEndpoint
        self.codeChallengeMethods = codeChallengeMethods
        self.issuesResponseIssuer = issuesResponseIssuer
        self.source = source
    }

    /// Parses a metadata document fetched from `source` for `expectedIssuer`.
    ///
    /// The document's `issuer` must equal the configured issuer exactly (RFC 8414 §3.3): metadata that
    /// names another issuer is how an attacker-controlled server mixes up clients and resources.
    public init(parsing bytes: [UInt8], expectedIssuer: String, source: String) throws(MetadataProblem) {
        guard bytes.count <= Self.maximumDocumentBytes else {
            throw MetadataProblem(.invalidDocument, "\(source): the document is \(bytes.count) bytes; at most \(Self.maximumDocumentBytes) are accepted")
        }
        let document: JSONValue
        do {
            document = try JSONParser(maximumDepth: 16).parse(bytes)
        } catch {
            throw MetadataProblem(.invalidDocument, "\(source): not valid JSON: \(error)")
        }
        guard let object = document.objectValue else {
            throw MetadataProblem(.invalidDocument, "\(source): the document is a JSON \(document.typeName), not an object")
        }
        guard let issuer = object["issuer"]?.stringValue else {
            throw MetadataProblem(.invalidDocument, "\(source): the document has no \"issuer\" string")
        }
        guard issuer == expectedIssuer else {
            throw MetadataProblem(.issuerMismatch,
                "\(source): the document names the issuer \"\(TokenRejection.excerpt(issuer, limit: 96))\", not the configured \"\(expectedIssuer)\"; set the issuer to exactly what the authorization server reports, or fix the server")
        }
        func endpoint(_ member: String) throws(MetadataProblem) -> OAuthURL? {
            guard let value = object[member] else { return nil }
            guard let text = value.stringValue else {
                throw MetadataProblem(.invalidDocument, "\(source): \"\(member)\" is not a string")
            }
            do {
                return try OAuthURL(parsing: text, setting: "\(member) of \(source)")
            } catch {
                throw MetadataProblem(.invalidDocument, error.description)
            }
        }
        self.issuer = issuer
        self.jwksURI = try endpoint("jwks_uri")
        self.introspectionEndpoint = try endpoint("introspection_endpoint")
        self.authorizationEndpoint = try endpoint("authorization_endpoint")
        self.tokenEndpoint = try endpoint("token_endpoint")
        self.registrationEndpoint = try endpoint("registration_endpoint")
        self.codeChallengeMethods = object["code_challenge_methods_supported"]?.arrayValue?.compactMap(\.stringValue)
        self.issuesResponseIssuer = object["authorization_response_iss_parameter_supported"]?.boolValue == true
        self.source = source
    }

    /// Where to look for the metadata of `issuer`, in order: RFC 8414 §3.1 (the well-known segment
    /// goes between the host and the issuer's path, without its trailing `/`), then OpenID Connect
    /// Discovery §4 (appended to the issuer).
    public static func discoveryURLs(forIssuer issuer: OAuthURL) -> [String] {
        var path = issuer.path
        while path.hasSuffix("/") { path.removeLast() }
        return [
            issuer.origin + "/.well-known/oauth-authorization-server" + path,
            issuer.origin + path + "/.well-known/openid-configuration",
        ]
    }

    /// Fetches and checks the metadata of `issuer`: each discovery URL in turn until one answers 200.
    /// A document that names another issuer ends the search at once.
    public static func discover(issuer: OAuthURL, fetcher: any OAuthFetcher) async -> Result<AuthorizationServerMetadata, MetadataProblem> {
        guard issuer.query == nil else {
            return .failure(MetadataProblem(.invalidDocument, "the issuer \(issuer) has a query; RFC 8414 section 2 forbids one"))
        }
        var attempts: [String] = []
        for url in discoveryURLs(forIssuer: issuer) {
            switch await fetcher.get(url) {
            case .failure(let failure):
                attempts.append("\(url): \(failure.reason)")
            case .success(let document) where document.status != 200:
                attempts.append("\(url): HTTP \(document.status)")
            case .success(let document):
                do {
                    return .success(try AuthorizationServerMetadata(parsing: document.body, expectedIssuer: issuer.text, source: url))
                } catch where error.kind == .issuerMismatch {
                    return .failure(error)
                } catch {
                    attempts.append(error.description)
                }
            }
        }
        return .failure(MetadataProblem(.unreachable, "no metadata for the issuer \(issuer): " + attempts.joined(separator: "; ")))
    }
}

/// Why the authorization server's metadata cannot be used.
public struct MetadataProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of the problem.
    public struct Kind: Sendable, Hashable {
        let name: String
        /// No discovery URL answered with a document.
        public static let unreachable = Kind(name: "unreachable")
        /// A document was read but is not usable metadata.
        public static let invalidDocument = Kind(name: "invalid_document")
        /// The document names another issuer (mix-up defence, RFC 8414 §3.3).
        public static let issuerMismatch = Kind(name: "issuer_mismatch")
    }

    /// The category.
    public let kind: Kind
    /// What is wrong and where.
    public let description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
