import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import OrdinautHTTP
import Testing

/// While few connections are served, a guarded connection is served on its own event loop: the
/// handler, the tasks it starts in structure and what it awaits resume there, not on the
/// concurrency pool. Beyond that number, connections are served by the pool.
@Suite("Connection executor")
struct ConnectionExecutorTests {
    /// "loop" when the calling code runs on an event loop thread, "pool" otherwise.
    static func whereAmI() -> String {
        MultiThreadedEventLoopGroup.currentEventLoop == nil ? "pool" : "loop"
    }

    static func application(servedOnTheirLoop: Int) -> some ApplicationProtocol {
        let router = Router()
        router.get("where") { _, _ -> String in
            async let child = Self.whereAmI()
            let beforeAwait = Self.whereAmI()
            try await Task.sleep(for: .milliseconds(1))
            return "\(beforeAwait) \(await child) \(Self.whereAmI())"
        }
        let connections = ConnectionGuard(limits: ConnectionLimits(), logger: Logger(label: "test"), servedOnTheirLoop: servedOnTheirLoop)
        return Application(
            router: router,
            server: HTTPServerBuilder { responder in connections.wrap(HTTP1Channel(responder: responder)) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
    }

    @Test func handlerChildTasksAndResumptionsRunOnTheConnectionsLoop() async throws {
        try await Self.application(servedOnTheirLoop: 1).test(.live) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/where", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "loop loop loop")
                }
            }
        }
    }

    @Test func beyondTheNumberServedOnTheirLoopThePoolServes() async throws {
        try await Self.application(servedOnTheirLoop: 0).test(.live) { client in
            try await client.execute(uri: "/where", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "pool pool pool")
            }
        }
    }
}
