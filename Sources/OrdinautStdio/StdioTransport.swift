import Logging
import OrdinautAuth
import OrdinautCore
import OrdinautIO
import OrdinautMCP
import ServiceLifecycle

/// MCP over stdio: newline-delimited JSON-RPC on stdin and stdout, logs on stderr.
///
/// Requests run concurrently (a tool that waits never delays a `ping`); `initialize` and notifications
/// are handled in arrival order because they change session state. Reading, handling and answering
/// happen on one thread of the transport's own (`StdioThread`), which the transport's tasks prefer:
/// a round trip wakes no other thread. Output goes out at once when the pipe has room and is queued
/// otherwise, bounded in bytes and written by a thread of its own (`LineWriter`): a client that stops
/// reading stalls only itself, and once `maximumPendingBytes` wait for it, no more of its input is
/// read until it reads again. End of input closes the connection, cancels what is still running and
/// returns.
public struct StdioTransport: Service {
    /// Limits for the transport.
    public struct Configuration: Sendable {
        /// The longest accepted line, in bytes.
        public var maximumMessageSize: Int
        /// The deepest accepted JSON nesting.
        public var maximumDepth: Int
        /// How long requests still running at end of input may take before they are cancelled, and
        /// then how long their answers may take to be written.
        public var drainTimeout: Duration
        /// Bytes of output waiting for a client that does not read, past which its input is no longer
        /// read and notifications to it are dropped (`ORDINAUT_STDIO_MAX_PENDING_BYTES`).
        public var maximumPendingBytes: Int
        /// Requests handled at once; while this many run, no more input is read
        /// (`ORDINAUT_MAX_REQUESTS_PER_PRINCIPAL`: the client is one principal).
        public var maximumInFlight: Int
        /// Who the process serves: every request acts as this principal (`ORDINAUT_STDIO_*`).
        public var principal: Principal

        public init(maximumMessageSize: Int = 4 * 1024 * 1024, maximumDepth: Int = JSONParser.defaultMaximumDepth,
                    drainTimeout: Duration = .milliseconds(500), maximumPendingBytes: Int = 16 << 20,
                    maximumInFlight: Int = 256, principal: Principal = .local) {
            self.maximumInFlight = maximumInFlight
            self.principal = principal
            self.maximumPendingBytes = maximumPendingBytes
            self.maximumMessageSize = maximumMessageSize
            self.maximumDepth = maximumDepth
            self.drainTimeout = drainTimeout
        }
    }

    private let server: MCPServer
    private let configuration: Configuration
    private let thread: StdioThread
    private let input: Int32
    private let output: Int32
    private let logger: Logger

    public init(server: MCPServer, configuration: Configuration = Configuration(), input: Int32 = 0, output: Int32 = 1,
                logger: Logger = Logger(label: "ordinaut.stdio")) {
        self.server = server
        self.configuration = configuration
        thread = StdioThread(input: input, maximumLineLength: configuration.maximumMessageSize)
        self.input = input
        self.output = output
        self.logger = logger
    }

    /// The transport's thread, which reads other descriptors' lines beside stdin while it runs: give it
    /// to what reads subprocess extensions.
    package var lineReactor: any LineReactor { thread }

    /// Serves until stdin ends. Runs once.
    public func run() async throws {
        let writer = LineWriter(descriptor: output, limit: configuration.maximumPendingBytes,
                                maximumInFlight: configuration.maximumInFlight, logger: logger, onRoom: { thread.wake() })
        // Every line counts as in flight from the moment it is taken until it is handled, so that
        // one read of many small requests cannot admit more than `maximumInFlight` of them.
        thread.start(admits: { writer.admitsInput() }, onLine: { writer.requestStarted() })
        writer.start()
        logger.info("serving MCP on stdio")
        await withTaskExecutorPreference(thread) {
            await serve(thread.lines, writer: writer, stopInput: { thread.stopInput() })
        }
        thread.close()
        await writer.flush(atMost: configuration.drainTimeout)
        writer.close()
        logger.info("stdin closed; stdio transport stopped")
    }

    /// Handles the lines until input ends, then what still runs, on the stdio thread.
    private func serve(_ lines: LineInbox, writer: LineWriter, stopInput: @escaping @Sendable () -> Void) async {
        let connection = MCPConnection(server: server, kind: .stdio)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while let message = await connection.outbox.receive() { await writer.send(message) }
            }
            await withDiscardingTaskGroup { requests in
                await withGracefulShutdownHandler {
                    for await line in lines {
                        if await !self.dispatch(line, connection: connection, writer: writer, requests: &requests) { writer.requestEnded() }
                    }
                } onGracefulShutdown: {
                    stopInput()
                }
                // Input is over: answer what is running if it finishes promptly, then cancel the rest.
                await writer.requests.waitForZero(atMost: configuration.drainTimeout)
                connection.close()
            }
            group.cancelAll()
        }
    }

    /// Handles one line; `true` when it became a request running in `requests`, which ends it as
    /// in flight when it finishes, `false` when it was handled here.
    private func dispatch(_ line: LineSplitter.Line, connection: MCPConnection, writer: LineWriter,
                          requests: inout DiscardingTaskGroup) async -> Bool {
        let bytes: [UInt8]
        switch line {
        case .tooLong(let length):
            logger.warning("dropped a \(length)-byte message; the limit is \(configuration.maximumMessageSize) bytes")
            await writer.send(JSONRPCResponse.failure(nil, .invalidRequest("message of \(length) bytes exceeds the \(configuration.maximumMessageSize)-byte limit")))
            return false
        case .message(let message):
            bytes = message
        }
        let principal = configuration.principal
        let value: JSONValue
        do {
            value = try JSONParser(maximumDepth: configuration.maximumDepth).parse(bytes)
        } catch {
            await writer.send(JSONRPCResponse.failure(nil, .parseError(error.description)))
            return false
        }
        if case .array(let items) = value {
            requests.addTask {
                defer { writer.requestEnded() }
                if let answer = await connection.handleBatch(items, stream: writer, principal: principal) { await writer.send(answer) }
            }
            return true
        }
        switch JSONRPCMessage.classify(value) {
        case .failure(let failure):
            await writer.send(JSONRPCResponse.failure(failure.id, failure.error))
        case .success(let message):
            if case .request(let request) = message, request.method != "initialize" {
                requests.addTask {
                    defer { writer.requestEnded() }
                    if let response = await connection.handle(message, stream: writer, principal: principal) { await writer.send(response) }
                }
                return true
            } else if let response = await connection.handle(message, stream: writer, principal: principal) {
                await writer.send(response)
            }
        }
        return false
    }
}
