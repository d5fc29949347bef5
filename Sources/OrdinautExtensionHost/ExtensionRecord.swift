import Foundation
import OrdinautCore
import OrdinautExtensionKit
import Synchronization

/// Answers an HTTP request below `/ext/<id>`.
typealias ExtensionResponder = @Sendable (Request, ExtensionRequestContext) async throws -> Response

/// One discovered extension and everything the host knows about it.
final class ExtensionRecord: Sendable {
    enum Kind: Sendable {
        case compiled(any Extension)
        case subprocess(executable: String)
        case webhook

        var isWebhook: Bool {
            if case .webhook = self { return true }
            return false
        }
    }

    enum Source: String, Sendable {
        case builtIn = "builtin"
        case path
        case compiled
    }

    enum Phase: Sendable {
        case lazy, activating, active, failed(ActivationFailure), stopped

        var name: String {
            switch self {
            case .lazy: return "lazy"
            case .activating: return "activating"
            case .active: return "active"
            case .failed: return "error"
            case .stopped: return "stopped"
            }
        }
    }

    struct Metrics: Sendable {
        var requests = 0
        var errors = 0
        var totalMilliseconds = 0.0
        var maxMilliseconds = 0.0
    }

    struct State: Sendable {
        var phase: Phase = .lazy
        var loadedMilliseconds: Double?
        var activation: Task<Void, Never>?
        var responder: ExtensionResponder?
        var subscriptions: [(subscription: EventSubscription, handler: EventHandler)] = []
        var triggers: [EventSubscription] = []
        var tools: Set<String> = []
        /// Declared tools still answered by a placeholder that activates the extension.
        var placeholders: Set<String> = []
        var metrics = Metrics()
        var context: ExtensionContext?
        var subprocess: SubprocessExtension?
    }

    let id: String
    let info: ExtensionInfo
    let source: Source
    let kind: Kind
    let manifest: ExtensionManifest?
    let directory: String?
    let requested: Set<Capability>
    let granted: Set<Capability>
    let eager: Bool
    /// Where the grants are configured, for `CapabilityError` messages.
    let grantSource: String
    let state = Mutex(State())

    init(id: String, info: ExtensionInfo, source: Source, kind: Kind, manifest: ExtensionManifest?, directory: String?,
         requested: Set<Capability>, granted: Set<Capability>, eager: Bool, grantSource: String) {
        self.id = id
        self.info = info
        self.source = source
        self.kind = kind
        self.manifest = manifest
        self.directory = directory
        self.requested = requested
        self.granted = granted
        self.eager = eager
        self.grantSource = grantSource
    }

    var phase: Phase { state.withLock { $0.phase } }

    var kindName: String {
        switch kind {
        case .compiled: return "compiled"
        case .subprocess: return "subprocess"
        case .webhook: return "webhook"
        }
    }

    func recordRequest(milliseconds: Double, failed: Bool) {
        state.withLock { state in
            state.metrics.requests += 1
            if failed { state.metrics.errors += 1 }
            state.metrics.totalMilliseconds += milliseconds
            state.metrics.maxMilliseconds = max(state.metrics.maxMilliseconds, milliseconds)
        }
    }
}
