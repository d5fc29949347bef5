import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import OrdinautCore
@testable import OrdinautREST
import OrdinautScheduler
import OrdinautStore
import Synchronization
import Testing

/// Keeps what a response body writes.
private final class Sink: Sendable {
    let bytes = Mutex<[UInt8]>([])
}

/// Writes a response body into a `Sink`.
private struct Collector: ResponseBodyWriter {
    let sink: Sink

    mutating func write(_ buffer: ByteBuffer) async throws {
        sink.bytes.withLock { $0 += Array(buffer.readableBytesView) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Each task error reaches REST with the seed's status and body: 422 naming the field for invalid
/// input, 404, 409, and 503 with `Retry-After` for the store's failures.
@Suite("Task errors as REST responses")
struct TaskErrorResponseTests {
    static func body(_ response: Response) async throws -> JSONValue {
        let sink = Sink()
        try await response.body.write(Collector(sink: sink))
        return try JSONParser().parse(sink.bytes.withLock { $0 })
    }

    @Test func invalidInputIs422NamingTheField() async throws {
        let located = TaskAPI.response(for: .invalid("payload.pipeline[0].uses is required", field: "payload.pipeline[0].uses"))
        #expect(located.status == .unprocessableContent && located.headers[.retryAfter] == nil)
        #expect(try await Self.body(located) == [
            "error": "validation_error", "message": "payload.pipeline[0].uses is required", "details": ["field": "payload.pipeline[0].uses"],
        ])
        let unlocated = TaskAPI.response(for: .invalid("nothing to update: give at least one field", field: nil))
        #expect(unlocated.status == .unprocessableContent)
        #expect(try await Self.body(unlocated) == ["error": "validation_error", "message": "nothing to update: give at least one field"])
    }

    @Test(arguments: [
        (StoreError.notFound("no task with id x"), 404, "not_found"),
        (StoreError.conflict("task x is already paused"), 409, "conflict"),
        (StoreError.unavailable("the database is closed"), 503, "unavailable"),
    ])
    func storeFailuresKeepTheirStatus(_ error: StoreError, _ status: Int, _ code: String) async throws {
        let response = TaskAPI.response(for: .store(error))
        #expect(response.status.code == status)
        #expect(response.headers[.retryAfter] == (status == 503 ? "5" : nil))
        #expect(try await Self.body(response) == ["error": .string(code), "message": .string(error.message)])
    }
}
