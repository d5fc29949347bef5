import Foundation
import OrdinautCore
import OrdinautMCP
import OrdinautPipeline

/// The HTTP side of a webhook tool, as a manifest gives it: the URL, method, headers, body template
/// and time limit. The arguments fill the templates (`${args.city}`); secrets come from environment
/// variables named here (`${secrets.token}`), never from the manifest itself.
public struct WebhookRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(name: String, value: String)]
    /// The body template; `nil` sends the arguments as JSON (POST, PUT, PATCH).
    public var body: JSONValue?
    public var timeout: Duration
    /// Template name → environment variable.
    public var secrets: [String: String]
    public var maxResponseBytes: Int

    public init(url: String, method: String = "POST", headers: [(name: String, value: String)] = [], body: JSONValue? = nil,
                timeout: Duration = .seconds(30), secrets: [String: String] = [:], maxResponseBytes: Int = 1 << 20) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.secrets = secrets
        self.maxResponseBytes = maxResponseBytes
    }
}

public enum WebhookTool {
    /// How much of a failed response's body an error result quotes.
    static let excerptLength = 500

    /// Compiles the templates now, so a broken template fails at load time, not at call time.
    /// The tool `name`, with this description and these schemas, whose calls are `request`.
    public static func make(name: String, title: String? = nil, description: String? = nil,
                            inputSchema: JSONValue = ["type": "object"], outputSchema: JSONValue? = nil,
                            request definition: WebhookRequest, client: CurlClient,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            observe: (@Sendable (_ statusClass: String, _ duration: Duration) -> Void)? = nil) throws(TemplateError) -> Tool {
        let url = try Template(.string(definition.url))
        let headers = try definition.headers.map { header throws(TemplateError) in (header.name, try Template(.string(header.value))) }
        let body = try definition.body.map { value throws(TemplateError) in try Template(value) }
        let sendsArguments = ["POST", "PUT", "PATCH"].contains(definition.method)
        return Tool(name: name, title: title, description: description, inputSchema: inputSchema, outputSchema: outputSchema) { arguments, _ in
            var secrets: JSONObject = [:]
            for (key, variable) in definition.secrets.sorted(by: { $0.key < $1.key }) {
                guard let value = environment[variable] else {
                    return .error("webhook \(name) needs environment variable \(variable) (secret \"\(key)\"), which is not set")
                }
                secrets[key] = .string(value)
            }
            var call = HTTPCall(url: "", method: definition.method, timeout: definition.timeout, maxResponseBytes: definition.maxResponseBytes)
            do throws(TemplateError) {
                // Arguments come from the model: encoded so that they cannot change the URL's shape.
                // Secrets come from the operator and are inserted as they are (a base URL, a token).
                let urlContext: JSONValue = ["args": percentEncoded(.object(arguments)), "secrets": .object(secrets)]
                guard let rendered = try url.render(urlContext).stringValue else { throw TemplateError("the URL template did not render to text") }
                call.url = rendered
                let context: JSONValue = ["args": .object(arguments), "secrets": .object(secrets)]
                for (name, template) in headers {
                    let value = try template.render(context)
                    call.headers.append((name, value.stringValue ?? value.encodedString()))
                }
                if let body {
                    let rendered = try body.render(context)
                    call.body = rendered.stringValue.map { Array($0.utf8) } ?? rendered.encoded()
                    if rendered.stringValue == nil { call.headers.appendIfMissing("Content-Type", "application/json") }
                } else if sendsArguments {
                    call.body = JSONValue.object(arguments).encoded()
                    call.headers.appendIfMissing("Content-Type", "application/json")
                }
            } catch {
                return .error("webhook \(name): \(error)")
            }
            call.headers.appendIfMissing("User-Agent", "ordinaut-webhook")
            return await WebhookSpan.run(call) { call in
                let began = ContinuousClock.now
                let outcome = await client.perform(call)
                observe?(statusClass(outcome), ContinuousClock.now - began)
                switch outcome {
                case .success(let response):
                    return (result(response, call: call, name: name), response.status)
                case .failure(let failure):
                    return (.error("webhook \(name): \(definition.method) \(redacted(call.url)) failed: \(withoutUserinfo(failure.description))"), nil)
                }
            }
        }
    }

    /// `2xx` … `5xx` for an answer, `error` when none came (connection, timeout, size limit).
    static func statusClass<Failure: Error>(_ outcome: Result<HTTPCallResponse, Failure>) -> String {
        guard case .success(let response) = outcome, (100..<600).contains(response.status) else { return "error" }
        return "\(response.status / 100)xx"
    }

    static func result(_ response: HTTPCallResponse, call: HTTPCall, name: String) -> ToolResult {
        let text = String(decoding: response.body, as: UTF8.self)
        guard (200..<300).contains(response.status) else {
            let excerpt = text.count > excerptLength ? String(text.prefix(excerptLength)) + "…" : text
            return ToolResult(
                content: [.text("webhook \(name): HTTP \(response.status) from \(call.method) \(redacted(call.url))\(excerpt.isEmpty ? "" : ": " + excerpt)")],
                structuredContent: ["status": .integer(Int64(response.status)), "body": .string(excerpt)], isError: true)
        }
        let isJSON = response.contentType.map(HeaderBytes.isJSONMediaType) ?? false
        if isJSON, let value = try? JSONParser().parse(response.body), value.objectValue != nil {
            return ToolResult(content: [.text(text)], structuredContent: value)
        }
        return .text(text)
    }

    /// The URL without its query string and without `user:password@`, which may carry secrets.
    static func redacted(_ url: String) -> String {
        withoutUserinfo(url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url)
    }

    /// `text` with the userinfo of every URL in it replaced by `***` (`https://***@host/`).
    static func withoutUserinfo(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == " " || $0 == "\"" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                result += "***"
                rest = rest[at...]
            }
        }
        return result + rest
    }

    /// Every string in `value` percent-encoded for use inside a URL.
    static func percentEncoded(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text.addingPercentEncoding(withAllowedCharacters: .urlUnreservedOnly) ?? "")
        case .array(let items): return .array(items.map(percentEncoded))
        case .object(let object): return .object(JSONObject(object.members.map { ($0.key, percentEncoded($0.value)) }))
        default: return value
        }
    }
}

extension CharacterSet {
    /// RFC 3986 unreserved characters: everything else is encoded.
    static let urlUnreservedOnly = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension Array where Element == (name: String, value: String) {
    mutating func appendIfMissing(_ name: String, _ value: String) {
        if !contains(where: { HeaderBytes.sameName($0.name, name) }) { append((name, value)) }
    }
}
