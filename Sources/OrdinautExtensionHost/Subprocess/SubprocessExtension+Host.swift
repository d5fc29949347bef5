#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon
import OrdinautExtensionKit
import OrdinautJSONSchema
import OrdinautMCP
import OrdinautIO
import Synchronization

/// Routes, events and notifications: what travels between the host and the program besides MCP calls.
extension SubprocessExtension {
    /// Forwards an HTTP request below `/ext/<id>` as `ordinaut/http`. The host's own credentials and
    /// the headers the operator lists never reach the program; who is asking reaches it as
    /// `principal` (name and scopes), decided by the access layer.
    func forward(_ request: Request, path: String, principal: Principal?, strippedHeaders: Set<String>, maxBodyBytes: Int) async -> Response {
        let (connection, phase) = state.withLock { ($0.phase == .running ? $0.connection : nil, $0.phase) }
        guard let connection else {
            let reason = if case .restarting(let attempt) = phase { "is restarting (attempt \(attempt))" } else { "is not running" }
            return ErrorBody.response(.serviceUnavailable, "extension_unavailable", "extension \"\(id)\" \(reason)",
                                      headers: [.retryAfter: "1"])
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            return ErrorBody.response(.contentTooLarge, "body_too_large", "the request body exceeds \(maxBodyBytes) bytes")
        }
        let bytes = Array(body.readableBytesView)
        let text = String(validating: bytes, as: UTF8.self)
        var headers: JSONObject = [:]
        for field in request.headers where !Self.hostCredentials.contains(field.name) && !strippedHeaders.contains(field.name.canonicalName) {
            headers[field.name.canonicalName] = .string(field.value)
        }
        var params: JSONObject = [
            "method": .string(request.method.rawValue), "path": .string(path.isEmpty ? "/" : path),
            "query": .string(request.uri.query ?? ""), "headers": .object(headers),
            "body": .string(text ?? Data(bytes).base64EncodedString()), "bodyEncoding": text == nil ? "base64" : "text",
        ]
        if let principal {
            params["principal"] = [
                "subject": .string(principal.subject), "name": .string(principal.displayName),
                "scopes": .array(principal.scopes.sorted.map { .string($0) }), "method": .string(principal.method.rawValue),
            ]
        }
        switch await connection.request("ordinaut/http", params, timeout: manifest.limits.callTimeout) {
        case .success(let result):
            return HTTPForwarding.response(from: result, extensionID: id)
        case .failure(.remote(let error)) where error.code == RPCError.methodNotFoundCode:
            return ErrorBody.response(.notFound, "not_found", "extension \"\(id)\" serves no HTTP routes (it does not implement ordinaut/http)")
        case .failure(let failure):
            return ErrorBody.response(.badGateway, "extension_error", "extension \"\(id)\" could not answer: \(failure)")
        }
    }

    /// Headers that carry the host's own credentials: never forwarded to an extension.
    static let hostCredentials: Set<HTTPField.Name> = [.authorization, .cookie, .proxySecret, .proxyUser, .scopes]

    func answer(_ method: String, _ params: JSONObject) async -> Result<JSONValue, RPCError> {
        switch method {
        case "ping":
            return .success([:])
        case "ordinaut/events/publish":
            if let problem = HostProtocol.problem(params, definition: "publishParams") { return .failure(.invalidParams(problem)) }
            do {
                let event = try await events.publish(params["name"]!.stringValue!, params["payload"] ?? .null,
                                                     namespace: params["namespace"]?.stringValue ?? StreamName.defaultNamespace)
                return .success(["event": event.json])
            } catch {
                return .failure(RPCError(code: -32001, message: "\(error)"))
            }
        case "ordinaut/events/subscribe":
            if let problem = HostProtocol.problem(params, definition: "subscribeParams") { return .failure(.invalidParams(problem)) }
            let subscriptionID = UUID().uuidString
            do {
                let subscription = try await events.subscribe(params["pattern"]!.stringValue!, fanOut: params["mode"] == "fanout") { [weak self] event in
                    try await self?.deliver(event, subscription: subscriptionID)
                }
                state.withLock { $0.subscriptions.append(subscription) }
                return .success(["subscription": .string(subscriptionID)])
            } catch {
                return .failure(RPCError(code: -32001, message: "\(error)"))
            }
        case "ordinaut/metrics":
            if let problem = HostProtocol.problem(params, definition: "metricParams") { return .failure(.invalidParams(problem)) }
            do throws(MetricsError) {
                try record(metric: params)
                return .success([:])
            } catch {
                return .failure(RPCError(code: -32001, message: error.message))
            }
        default:
            return .failure(RPCError(code: RPCError.methodNotFoundCode,
                                     message: "the Ordinaut host does not offer \(method) to extensions"))
        }
    }

    /// Records one value of the program's own metric `ext_<id>_<name>` (params already validated).
    private func record(metric params: JSONObject) throws(MetricsError) {
        let name = params["name"]!.stringValue!
        let help = params["help"]?.stringValue ?? ""
        let value = params["value"]!.doubleValue!
        var labels: [String: String] = [:]
        for (key, label) in params["labels"]?.objectValue?.members ?? [] { labels[key] = label.stringValue }
        switch params["kind"]!.stringValue! {
        case "counter": try metrics.increment(name, help: help, labels: labels, by: value)
        case "gauge": try metrics.set(name, help: help, labels: labels, to: value)
        default:
            let buckets = params["buckets"]?.arrayValue?.compactMap(\.doubleValue) ?? MetricFamily.latencyBuckets
            try metrics.observe(name, help: help, buckets: buckets, labels: labels, value)
        }
    }

    /// Sends one event to the program as `ordinaut/event`; throws when it is not accepted.
    func deliver(_ event: Event, subscription: String) async throws {
        guard let connection = state.withLock({ $0.phase == .running ? $0.connection : nil }) else {
            throw ToolError("extension \"\(id)\" is not running")
        }
        if case .failure(let failure) = await connection.request(
            "ordinaut/event", ["subscription": .string(subscription), "event": event.json], timeout: manifest.limits.callTimeout) {
            throw ToolError("extension \"\(id)\" did not accept event \(event.id): \(failure)")
        }
    }

    func notice(_ method: String, _ params: JSONObject) {
        switch method {
        case "notifications/tools/list_changed":
            guard let connection = state.withLock({ $0.connection }) else { return }
            Task { [weak self] in
                do throws(ActivationFailure) { try await self?.importTools(connection) } catch {
                    self?.logger.warning("re-importing tools failed", metadata: ["error": .string(error.message)])
                }
            }
        case "notifications/prompts/list_changed", "notifications/resources/list_changed":
            guard let connection = state.withLock({ $0.connection }) else { return }
            let prompts = method.contains("prompts")
            Task { [weak self] in
                do throws(ActivationFailure) {
                    if prompts { try await self?.importPrompts(connection) } else { try await self?.importResources(connection) }
                } catch {
                    self?.logger.warning("re-importing failed", metadata: ["error": .string(error.message)])
                }
            }
        case "notifications/message":
            logger.info("\(params["data"]?.encodedString() ?? "")", metadata: ["mcp_level": .string(params["level"]?.stringValue ?? "info")])
        default:
            break
        }
    }
}
