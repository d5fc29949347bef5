import OrdinautAuth
import Synchronization

/// An ``OAuthFetcher`` that answers from a table, counts requests, records posts, and can hold a
/// URL's requests until the test releases them (a slow authorization server). A JSON post is
/// recorded (and handled) as a form post with one field, `json`.
final class InMemoryOAuthFetcher: OAuthFetcher {
    /// One recorded `POST`.
    struct Post: Sendable {
        let url: String
        let fields: [(String, String)]
        let user: String?
        let password: String?

        func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
    }

    typealias PostHandler = @Sendable (_ fields: [(String, String)]) -> Result<HTTPDocument, FetchFailure>

    private struct State {
        var documents: [String: Result<HTTPDocument, FetchFailure>] = [:]
        var postHandlers: [String: PostHandler] = [:]
        var counts: [String: Int] = [:]
        var posts: [Post] = []
        var held: Set<String> = []
        var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    /// Answers `GET url` with `status` and `body`.
    func serve(_ url: String, status: Int = 200, body: [UInt8]) {
        state.withLock { $0.documents[url] = .success(HTTPDocument(status: status, body: body)) }
    }

    /// Answers `GET url` with a transport failure.
    func fail(_ url: String, _ reason: String = "connection refused") {
        state.withLock { $0.documents[url] = .failure(FetchFailure(reason)) }
    }

    /// Answers `POST url` with what `handler` makes of the form fields.
    func onPost(_ url: String, _ handler: @escaping PostHandler) {
        state.withLock { $0.postHandlers[url] = handler }
    }

    /// Makes requests to `url` wait until ``release(_:)``.
    func hold(_ url: String) {
        state.withLock { _ = $0.held.insert(url) }
    }

    /// Lets waiting and future requests to `url` proceed.
    func release(_ url: String) {
        let continuations = state.withLock { state in
            state.held.remove(url)
            return state.waiting.removeValue(forKey: url) ?? []
        }
        for continuation in continuations { continuation.resume() }
    }

    /// How many requests `url` received (counted when they arrive, before any hold).
    func count(_ url: String) -> Int {
        state.withLock { $0.counts[url, default: 0] }
    }

    /// The posts received so far.
    var posts: [Post] { state.withLock { $0.posts } }

    /// Waits (up to about 5 s) until `url` received at least `count` requests.
    func waitForRequests(to url: String, count: Int) async {
        for _ in 0..<5000 where self.count(url) < count {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    func get(_ url: String) async -> Result<HTTPDocument, FetchFailure> {
        await arrive(url)
        return state.withLock { $0.documents[url] } ?? .success(HTTPDocument(status: 404, body: Array("not found".utf8)))
    }

    func postForm(
        _ url: String, fields: [(String, String)], basicAuthorization: (user: String, password: String)?
    ) async -> Result<HTTPDocument, FetchFailure> {
        let handler = state.withLock { state in
            state.posts.append(Post(url: url, fields: fields, user: basicAuthorization?.user, password: basicAuthorization?.password))
            return state.postHandlers[url]
        }
        await arrive(url)
        return handler?(fields) ?? .success(HTTPDocument(status: 404, body: []))
    }

    func postJSON(_ url: String, body: [UInt8]) async -> Result<HTTPDocument, FetchFailure> {
        await postForm(url, fields: [("json", String(decoding: body, as: UTF8.self))], basicAuthorization: nil)
    }

    private func arrive(_ url: String) async {
        let mustWait = state.withLock { state in
            state.counts[url, default: 0] += 1
            return state.held.contains(url)
        }
        guard mustWait else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                guard state.held.contains(url) else { return true }
                state.waiting[url, default: []].append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
