/// The only I/O of OAuth: fetching metadata and key sets, posting introspection and token
/// requests, and registering the web UI's client. The production fetcher lives with the HTTP client; tests use an in-memory one.
///
/// A fetcher bounds the time of each request itself (connect and total timeouts) and answers with a
/// ``FetchFailure`` rather than hanging; it never follows a redirect to another scheme or host.
public protocol OAuthFetcher: Sendable {
    /// `GET url`, accepting `application/json`.
    func get(_ url: String) async -> Result<HTTPDocument, FetchFailure>

    /// `POST url` with an `application/x-www-form-urlencoded` body of `fields` (encoded by the
    /// fetcher), and HTTP Basic authentication when `basicAuthorization` is given.
    func postForm(
        _ url: String, fields: [(String, String)], basicAuthorization: (user: String, password: String)?
    ) async -> Result<HTTPDocument, FetchFailure>

    /// `POST url` with a JSON body (dynamic client registration, RFC 7591).
    func postJSON(_ url: String, body: [UInt8]) async -> Result<HTTPDocument, FetchFailure>
}

/// A response of any status, with its body.
public struct HTTPDocument: Sendable, Hashable {
    /// The HTTP status code.
    public var status: Int
    /// The body, as received.
    public var body: [UInt8]

    /// A response with `status` and `body`.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Why a request produced no response: connection refused, timeout, TLS failure, oversized body.
public struct FetchFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for the log.
    public let reason: String

    /// A failure explained by `reason`.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
