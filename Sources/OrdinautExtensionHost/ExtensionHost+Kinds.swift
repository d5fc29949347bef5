import Foundation
import Logging
import OrdinautAuth
import OrdinautCore
import OrdinautEvents
import OrdinautExtensionKit
import OrdinautIO
import OrdinautMCP
import OrdinautWebhooks
import ServiceLifecycle
import Synchronization

/// Activation by kind: a compiled-in extension, a subprocess speaking MCP, or webhook tools.
extension ExtensionHost {
    func activateCompiled(_ record: ExtensionRecord, _ instance: any Extension) async throws(ActivationFailure) {
        let context = context(for: record)
        record.state.withLock { $0.context = context }
        let timeout = limits(record).startupTimeout
        let routes = try await withDeadline(timeout, phase: "setup") { SetupRoutes(routes: try await instance.setup(context: context)) }.routes
        if routes != nil && !record.granted.contains(.routes) {
            let error = CapabilityError(extensionID: record.id, capability: .routes, grantSource: record.grantSource)
            throw ActivationFailure(phase: "setup", message: error.description)
        }
        let router = Router(context: ExtensionRequestContext.self)
        if let routes { router.addRoutes(routes, atPath: RouterPath("/ext/\(record.id)")) }
        let responder = router.buildResponder()
        record.state.withLock { $0.responder = { request, context in try await responder.respond(to: request, context: context) } }
        try await withDeadline(timeout, phase: "startup") { try await instance.startup(context: context) }
    }

    func activateSubprocess(_ record: ExtensionRecord, _ executable: String) async throws(ActivationFailure) {
        let subprocess = SubprocessExtension(
            manifest: record.manifest!, directory: record.directory!, executable: executable, grants: record.granted,
            server: server, registrar: registrar(for: record), events: events(for: record),
            metrics: ExtensionMetrics(extensionID: record.id, host: services.metrics),
            children: configuration.childRecords.map(ChildRegistry.init(directory:)), lineReactor: configuration.lineReactor,
            logger: extensionLogger(record))
        record.state.withLock { $0.subprocess = subprocess }
        try await subprocess.start()
        // The manifest's subscriptions are the host's to keep: they exist before the first call
        // reaches the program and survive its restarts.
        if record.granted.contains(.eventsSubscribe) {
            let events = events(for: record)
            for pattern in record.manifest?.subscriptions ?? [] {
                do {
                    try await events.subscribe(pattern) { event in try await subprocess.deliver(event, subscription: pattern) }
                } catch {
                    throw ActivationFailure(phase: "subscribe", message: "subscription \(pattern): \(error)")
                }
            }
        }
        if record.granted.contains(.routes) {
            let maxBody = configuration.maxBodyBytes
            let prefix = "/ext/\(record.id)"
            let stripped = configuration.strippedHeaders
            record.state.withLock {
                $0.responder = { request, context in
                    await subprocess.forward(request, path: String(request.uri.path.dropFirst(prefix.count)), principal: context.principal,
                                             strippedHeaders: stripped, maxBodyBytes: maxBody)
                }
            }
        }
    }

    func activateWebhooks(_ record: ExtensionRecord) throws(ActivationFailure) {
        guard record.granted.contains(.tools) else {
            let error = CapabilityError(extensionID: record.id, capability: .tools, grantSource: record.grantSource)
            throw ActivationFailure(phase: "setup", message: error.description)
        }
        let client = curl.withLock { client in
            if client == nil { client = CurlClient() }
            return client!
        }
        let manifest = record.manifest!
        let registrar = registrar(for: record)
        for declared in manifest.tools {
            guard let webhook = declared.webhook else { continue }
            do {
                try registrar.register(try WebhookTool.make(
                    name: manifest.registryName(of: declared.name), title: declared.title, description: declared.description,
                    inputSchema: declared.inputSchema, outputSchema: declared.outputSchema, request: webhook, client: client,
                    observe: services.metrics.map(Self.webhookObserver)))
            } catch {
                throw ActivationFailure(phase: "setup", message: "webhook tool \(declared.name): \(error)")
            }
            let missing = webhook.secrets.values.filter { ProcessInfo.processInfo.environment[$0] == nil }.sorted()
            if !missing.isEmpty {
                logger.warning("webhook tool needs environment variables that are not set; its calls will fail until they are",
                               metadata: ["extension": .string(record.id), "tool": .string(declared.name), "variables": .string(missing.joined(separator: ","))])
            }
        }
    }

    static let webhookCalls = MetricFamily("ordinaut_webhook_calls_total", help: "Webhook tool calls, by HTTP status class (2xx … 5xx, error when no answer came).", kind: .counter)
    static let webhookDuration = MetricFamily("ordinaut_webhook_call_duration_seconds", help: "Time webhook tool calls took, by HTTP status class.",
                                              kind: .histogram(buckets: MetricFamily.latencyBuckets))

    private static func webhookObserver(_ metrics: HostMetrics) -> @Sendable (String, Duration) -> Void {
        { status, duration in
            metrics.increment(webhookCalls, [("status_class", status)])
            metrics.observe(webhookDuration, [("status_class", status)], duration)
        }
    }

    /// Undoes what a failed or stopping extension set up: subscriptions, background tasks, process.
}

/// The routes `setup` returned, handed from the setup task to the host once setup has finished;
/// nothing touches them concurrently, which is what makes the transfer safe.
private struct SetupRoutes: @unchecked Sendable {
    let routes: ExtensionRoutes?
}
