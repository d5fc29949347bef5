import OrdinautCore

/// The web UI's client when none is configured: registered at the authorization server's
/// `registration_endpoint` on the first sign-in (RFC 7591) as a public client (PKCE, no secret)
/// with the one redirect URI, and kept for the life of the process. Concurrent first sign-ins share
/// one registration; after a failure the next attempt waits `retryInterval`, so a stream of sign-in
/// attempts is not a stream of registrations.
actor ClientRegistration {
    private enum State {
        case idle
        case running(Task<Result<OAuthClient, SignInFailure>, Never>)
        case done(OAuthClient)
        case failed(SignInFailure, at: ContinuousClock.Instant)
    }

    private let fetcher: any OAuthFetcher
    private let document: [UInt8]
    private let retryInterval: Duration
    private var state: State = .idle

    /// A registration asking for `redirectURI` and `scopes`, named `clientName`.
    init(fetcher: any OAuthFetcher, clientName: String, redirectURI: String, scopes: [String], retryInterval: Duration = .seconds(10)) {
        self.fetcher = fetcher
        self.retryInterval = retryInterval
        var metadata: [(String, JSONValue)] = [
            ("client_name", .string(clientName)), ("redirect_uris", [.string(redirectURI)]),
            ("grant_types", ["authorization_code"]), ("response_types", ["code"]), ("token_endpoint_auth_method", "none"),
        ]
        if !scopes.isEmpty { metadata.append(("scope", .string(scopes.joined(separator: " ")))) }
        document = JSONValue.object(JSONObject(metadata)).encoded()
    }

    /// The registered client, registering it at `endpoint` if that has not been done.
    func client(at endpoint: OAuthURL?, now: ContinuousClock.Instant) async -> Result<OAuthClient, SignInFailure> {
        switch state {
        case .done(let client):
            return .success(client)
        case .failed(let failure, let at) where now - at < retryInterval:
            return .failure(failure)
        case .running(let task):
            return await task.value
        case .idle, .failed:
            guard let endpoint else {
                return .failure(SignInFailure(.unavailable,
                    "no ORDINAUT_UI_OAUTH_CLIENT_ID is set and the authorization server offers no registration_endpoint; register the web UI as a client and set it"))
            }
            // Unstructured so that concurrent first sign-ins wait for one registration; bounded by the
            // fetcher's timeout.
            let task = Task { await self.register(at: endpoint) }
            state = .running(task)
            let result = await task.value
            switch result {
            case .success(let client): state = .done(client)
            case .failure(let failure): state = .failed(failure, at: now)
            }
            return result
        }
    }

    private nonisolated func register(at endpoint: OAuthURL) async -> Result<OAuthClient, SignInFailure> {
        let answer: HTTPDocument
        switch await fetcher.postJSON(endpoint.text, body: document) {
        case .failure(let failure):
            return .failure(SignInFailure(.unavailable, "registering the web UI's client at \(endpoint) failed: \(failure.reason)"))
        case .success(let received):
            answer = received
        }
        let value = try? JSONParser(maximumDepth: 8).parse(answer.body)
        guard answer.status == 201 || answer.status == 200 else {
            return .failure(SignInFailure(.unavailable,
                "\(endpoint) refused to register the web UI's client (HTTP \(answer.status), \(SignInFailure.serverSaid(value)))"))
        }
        guard let id = value?["client_id"]?.stringValue, !id.isEmpty, id.utf8.count <= 1024 else {
            return .failure(SignInFailure(.unavailable, "\(endpoint) registered the web UI's client but answered no client_id"))
        }
        return .success(OAuthClient(id: id, secret: value?["client_secret"]?.stringValue))
    }
}
