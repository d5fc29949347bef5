import Foundation
import OrdinautAuth
import OrdinautWebhooks

/// Fetches OAuth metadata and key sets, and posts introspection, token and registration requests, through libcurl (the
/// thread that also carries webhook calls): every request is bounded in time and size, and
/// redirects are not followed.
struct CurlOAuthFetcher: OAuthFetcher {
    let client: CurlClient
    var timeout: Duration = .seconds(5)
    var maximumBytes = 256 * 1024

    func get(_ url: String) async -> Result<HTTPDocument, FetchFailure> {
        await perform(HTTPCall(url: url, headers: [("Accept", "application/json")], timeout: timeout, maxResponseBytes: maximumBytes))
    }

    func postForm(_ url: String, fields: [(String, String)],
                  basicAuthorization: (user: String, password: String)?) async -> Result<HTTPDocument, FetchFailure> {
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded")]
        if let basic = basicAuthorization {
            // RFC 6749 §2.3.1: the client id and secret are form-encoded before they are joined.
            let pair = FormEncoding.encode(basic.user) + ":" + FormEncoding.encode(basic.password)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        }
        let body = FormEncoding.encode(fields)
        return await perform(HTTPCall(url: url, method: "POST", headers: headers, body: Array(body.utf8), timeout: timeout,
                                      maxResponseBytes: maximumBytes))
    }

    func postJSON(_ url: String, body: [UInt8]) async -> Result<HTTPDocument, FetchFailure> {
        await perform(HTTPCall(url: url, method: "POST", headers: [("Accept", "application/json"), ("Content-Type", "application/json")],
                               body: body, timeout: timeout, maxResponseBytes: maximumBytes))
    }

    private func perform(_ call: HTTPCall) async -> Result<HTTPDocument, FetchFailure> {
        switch await client.perform(call) {
        case .success(let response): return .success(HTTPDocument(status: response.status, body: response.body))
        case .failure(let failure): return .failure(FetchFailure(failure.description))
        }
    }
}
