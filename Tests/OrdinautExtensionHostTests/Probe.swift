import Foundation
import OrdinautExtensionKit
import Synchronization

/// A compiled-in extension whose behaviour each test chooses.
struct ProbeExtension: Extension {
    enum Behaviour: Sendable {
        case normal
        case failSetup
        case hangSetup
        case registerTool(String)
        case useTools
    }

    final class Counter: Sendable {
        let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    var id = "probe"
    var requestedCapabilities: Set<Capability> = [.routes]
    var behaviour: Behaviour = .normal
    let setups = Counter()

    var info: ExtensionInfo { ExtensionInfo(id: id, name: "Probe", version: "1.0.0") }

    func setup(context: ExtensionContext) async throws -> ExtensionRoutes? {
        setups.increment()
        // Long enough for concurrent first requests to overlap the activation.
        try await Task.sleep(for: .milliseconds(100))
        switch behaviour {
        case .normal:
            break
        case .failSetup:
            struct Broken: Error, CustomStringConvertible { var description: String { "the database is unreachable" } }
            throw Broken()
        case .hangSetup:
            try await Task.sleep(for: .seconds(3600))
        case .registerTool(let name):
            try context.tools.register(Tool(name: name) { _, _ in .text("ok") })
        case .useTools:
            _ = try context.tools
        }
        let routes = try context.routes()
        routes.get("/hello") { _, _ in "hello from \(id)" }
        return routes
    }
}
