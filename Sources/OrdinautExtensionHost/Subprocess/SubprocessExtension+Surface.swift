#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OrdinautCore
import OrdinautExtensionKit
import OrdinautJSONSchema
import OrdinautMCP
import OrdinautTracing
import OrdinautIO
import Synchronization

/// What a subprocess extension offers, imported into the registries and forwarded to the program.
extension SubprocessExtension {
    /// Every page of a list method's `key` array.
    func listAll(_ connection: ChildConnection, _ method: String, _ key: String) async throws(ActivationFailure) -> [JSONValue] {
        var listed: [JSONValue] = []
        var cursor: JSONValue?
        repeat {
            var params: JSONObject = [:]
            if let cursor { params["cursor"] = cursor }
            switch await connection.request(method, params, timeout: manifest.limits.startupTimeout) {
            case .success(let page):
                guard let items = page[key]?.arrayValue else {
                    throw ActivationFailure(phase: method, message: "the \(method) result has no \(key) array")
                }
                listed += items
                cursor = page["nextCursor"]
            case .failure(let failure):
                throw ActivationFailure(phase: method, message: "\(method) failed: \(failure)")
            }
        } while cursor != nil && listed.count < 10_000
        return listed
    }

    /// Lists the program's tools and registers them under `ext.<id>.`; tools that vanished are removed.
    func importTools(_ connection: ChildConnection) async throws(ActivationFailure) {
        guard grants.contains(.tools) else {
            logger.notice("extension offers tools but was not granted TOOLS; none imported")
            return
        }
        let listed = try await listAll(connection, "tools/list", "tools")
        var imported: [String] = []
        var skipped: [JSONValue] = []
        for entry in listed {
            guard let remote = entry["name"]?.stringValue else {
                skipped.append(["reason": "a listed tool has no name"])
                continue
            }
            let name = "ext.\(id).\(remote)"
            let tool = Tool(
                name: name, title: entry["title"]?.stringValue, description: entry["description"]?.stringValue,
                inputSchema: entry["inputSchema"] ?? ["type": "object"], outputSchema: entry["outputSchema"],
                annotations: entry["annotations"]
            ) { [weak self] arguments, context in
                guard let self else { return .error("the extension host is shutting down") }
                return await self.call(remote, arguments, context)
            }
            server.tools.unregister(name)
            do throws(RegistrationError) {
                try registrar.register(tool)
                imported.append(name)
            } catch {
                skipped.append(["name": .string(remote), "reason": .string(error.message)])
                logger.warning("extension tool not imported", metadata: ["tool": .string(remote), "reason": .string(error.message)])
            }
        }
        let previous = state.withLock { state in
            defer {
                state.importedTools = imported
                state.skippedTools = skipped
            }
            return state.importedTools
        }
        for name in previous where !imported.contains(name) { server.tools.unregister(name) }
    }

    /// Registers the program's prompts as `ext.<id>.<name>`; `prompts/get` is forwarded.
    func importPrompts(_ connection: ChildConnection) async throws(ActivationFailure) {
        guard grants.contains(.tools) else { return }
        var imported: [String] = []
        for entry in try await listAll(connection, "prompts/list", "prompts") {
            guard let remote = entry["name"]?.stringValue else { continue }
            let name = "ext.\(id).\(remote)"
            let arguments = (entry["arguments"]?.arrayValue ?? []).compactMap { argument -> PromptArgument? in
                argument["name"]?.stringValue.map {
                    PromptArgument(name: $0, description: argument["description"]?.stringValue, required: argument["required"]?.boolValue ?? false)
                }
            }
            let prompt = Prompt(name: name, title: entry["title"]?.stringValue, description: entry["description"]?.stringValue,
                                arguments: arguments) { [weak self] values, _ in
                guard let self else { throw ToolError("the extension host is shutting down") }
                return try await self.getPrompt(remote, values)
            }
            server.prompts.unregister(name: name)
            do throws(RegistrationError) {
                try registrar.register(prompt)
                imported.append(name)
            } catch {
                logger.warning("extension prompt not imported", metadata: ["prompt": .string(remote), "reason": .string(error.message)])
            }
        }
        let previous = state.withLock { state in
            defer { state.importedPrompts = imported }
            return state.importedPrompts
        }
        for name in previous where !imported.contains(name) { server.prompts.unregister(name: name) }
    }

    /// Registers the program's resources as `ext://<id>/<its URI>`; `resources/read` is forwarded.
    func importResources(_ connection: ChildConnection) async throws(ActivationFailure) {
        guard grants.contains(.tools) else { return }
        var imported: [String] = []
        for entry in try await listAll(connection, "resources/list", "resources") {
            guard let remote = entry["uri"]?.stringValue else { continue }
            let uri = "ext://\(id)/\(remote)"
            let resource = Resource(uri: uri, name: entry["name"]?.stringValue ?? remote, title: entry["title"]?.stringValue,
                                    description: entry["description"]?.stringValue, mimeType: entry["mimeType"]?.stringValue) { [weak self] _, _, _ in
                guard let self else { throw ToolError("the extension host is shutting down") }
                return try await self.readResource(remote, as: uri)
            }
            server.resources.unregister(uri: uri)
            do throws(RegistrationError) {
                try registrar.register(resource)
                imported.append(uri)
            } catch {
                logger.warning("extension resource not imported", metadata: ["resource": .string(remote), "reason": .string(error.message)])
            }
        }
        let previous = state.withLock { state in
            defer { state.importedResources = imported }
            return state.importedResources
        }
        for uri in previous where !imported.contains(uri) { server.resources.unregister(uri: uri) }
    }

    func running() throws -> ChildConnection {
        guard let connection = state.withLock({ $0.phase == .running ? $0.connection : nil }) else {
            throw ToolError("extension \"\(id)\" is not running")
        }
        return connection
    }

    func getPrompt(_ remote: String, _ values: [String: String]) async throws -> (description: String?, messages: [PromptMessage]) {
        let arguments = JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
        switch try await running().request("prompts/get", ["name": .string(remote), "arguments": .object(arguments)], timeout: manifest.limits.callTimeout) {
        case .success(let result):
            var messages: [PromptMessage] = []
            for message in result["messages"]?.arrayValue ?? [] {
                guard let role = message["role"]?.stringValue.flatMap(PromptMessage.Role.init(rawValue:)),
                      let content = message["content"].flatMap(Content.init(json:)) else {
                    throw ToolError("extension \"\(id)\" returned a malformed prompt message")
                }
                messages.append(PromptMessage(role: role, content: content))
            }
            return (result["description"]?.stringValue, messages)
        case .failure(let failure):
            throw ToolError("extension \"\(id)\" failed prompt \(remote): \(failure)")
        }
    }

    func readResource(_ remote: String, as uri: String) async throws -> [ResourceContents] {
        switch try await running().request("resources/read", ["uri": .string(remote)], timeout: manifest.limits.callTimeout) {
        case .success(let result):
            return try (result["contents"]?.arrayValue ?? []).map { item in
                guard let contents = ResourceContents(json: item) else {
                    throw ToolError("extension \"\(id)\" returned malformed contents for \(remote)")
                }
                switch contents.body {
                case .text(let text): return ResourceContents(uri: uri, mimeType: contents.mimeType, text: text)
                case .blob(let blob): return ResourceContents(uri: uri, mimeType: contents.mimeType, blobBase64: blob)
                }
            }
        case .failure(let failure):
            throw ToolError("extension \"\(id)\" failed to read \(remote): \(failure)")
        }
    }

    /// Forwards a tool call; every failure becomes an `isError` result that says what happened.
    func call(_ remote: String, _ arguments: JSONObject, _ context: OrdinautMCP.RequestContext) async -> ToolResult {
        let limit = manifest.limits.maxInFlight
        let admitted = state.withLock { state -> Result<ChildConnection, ToolError> in
            switch state.phase {
            case .running:
                guard let connection = state.connection else { return .failure(ToolError("extension \"\(id)\" is unavailable")) }
                guard state.inFlight < limit else {
                    return .failure(ToolError("extension \"\(id)\" already has \(limit) calls in flight (its limit); try again shortly"))
                }
                state.inFlight += 1
                return .success(connection)
            case .restarting(let attempt):
                return .failure(ToolError("extension \"\(id)\" is unavailable, restarting (attempt \(attempt)) after it \(state.lastExit ?? "exited")"))
            case .idle, .stopping, .stopped:
                return .failure(ToolError("extension \"\(id)\" is not running"))
            }
        }
        let connection: ChildConnection
        switch admitted {
        case .success(let admittedConnection): connection = admittedConnection
        case .failure(let error): return .error(error.message)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        var params: JSONObject = ["name": .string(remote), "arguments": .object(arguments)]
        // Scheduled runs identify themselves (`io.ordinaut/run`, `io.ordinaut/idempotency-key`) so
        // that the program can deduplicate a step a taken-over run repeats.
        var forwarded = JSONObject(context.meta.filter { $0.key.hasPrefix("io.ordinaut/") }.map { ($0.key, $0.value) })
        let outcome = await Spans.run("tools/call \(remote)", kind: .client) { span in
            span?.updateAttributes { attributes in
                attributes["mcp.method.name"] = "tools/call"
                attributes["gen_ai.tool.name"] = remote
                attributes["gen_ai.operation.name"] = "execute_tool"
                attributes["ordinaut.extension.id"] = id
            }
            // MCP carries the trace in `_meta` (`traceparent`, `tracestate`), as OpenTelemetry's MCP conventions say.
            for field in Spans.outgoing { forwarded[field.name] = .string(field.value) }
            if !forwarded.isEmpty { params["_meta"] = .object(forwarded) }
            let outcome = await connection.request("tools/call", params, timeout: manifest.limits.callTimeout)
            if case .failure(let failure) = outcome {
                span?.attributes["error.type"] = String(describing: failure)
                span?.setStatus(SpanStatus(code: .error))
            }
            return outcome
        }
        switch outcome {
        case .success(let json):
            switch ToolResult.decode(json) {
            case .success(let result): return result
            case .failure(let error): return .error("extension \"\(id)\" returned a malformed result for \(remote): \(error.message)")
            }
        case .failure(.timedOut(let limit)):
            return .error("extension \"\(id)\" did not answer \(remote) within \(limit.components.seconds) s; the call was cancelled")
        case .failure(.closed):
            return .error("extension \"\(id)\" exited during the call to \(remote); it is restarting")
        case .failure(let failure):
            return .error("extension \"\(id)\" failed \(remote): \(failure)")
        }
    }
}
