import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Ordinaut
import OrdinautCore
import OrdinautExtensionHost
import OrdinautTesting
import Testing

private func json(_ response: TestResponse) throws -> JSONValue {
    try JSONParser().parse(Array(response.body.readableBytesView))
}

private func body(_ value: JSONValue) -> ByteBuffer { ByteBuffer(bytes: value.encoded()) }

private let jsonHeaders: HTTPFields = [.contentType: "application/json"]

@Suite("The web UI's API: lists, stats, previews, validation, documents")
struct WebAPITests {
    static let task: JSONValue = [
        "title": "nightly", "schedule_kind": "cron", "schedule_expr": "0 3 * * *", "timezone": "Europe/Chisinau",
        "payload": ["pipeline": [["id": "wait", "uses": "ordinaut.approval", "with": ["prompt": "go?"]]]],
    ]

    @Test func taskPagesFollowNextCursorAndBadCursorsAreRefused() async throws {
        try await withOrdinautApplication { client in
            for title in ["alpha report", "beta", "gamma report"] {
                var fields = Self.task.objectValue!
                fields["title"] = .string(title)
                try await client.execute(uri: "/tasks", method: .post, headers: jsonHeaders, body: body(.object(fields))) { response in
                    #expect(response.status == .created, "\(String(buffer: response.body))")
                }
            }
            let cursor = try await client.execute(uri: "/tasks?limit=2", method: .get) { response in
                let page = try json(response)
                #expect(page["items"]?.arrayValue?.compactMap { $0["title"]?.stringValue } == ["alpha report", "beta"])
                #expect(page["has_more"] == true)
                return page["next_cursor"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/tasks?limit=2&cursor=\(cursor)", method: .get) { response in
                let page = try json(response)
                #expect(page["items"]?.arrayValue?.compactMap { $0["title"]?.stringValue } == ["gamma report"])
                #expect(page["next_cursor"] == .null && page["has_more"] == false)
            }
            try await client.execute(uri: "/tasks?q=REPORT&schedule_kind=cron&status=active", method: .get) { response in
                let answer = try json(response)
                #expect(answer["count"] == 2)
            }
            for (uri, field) in [("/tasks?cursor=bm9wZQ", "cursor"), ("/tasks?cursor=\(cursor)&offset=2", "offset"), ("/tasks?q=", "q"),
                                 ("/runs?cursor=\(cursor)", "cursor"), ("/runs?since=yesterday", "since"), ("/tasks?limit=501", "limit")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unprocessableContent, "\(uri)")
                    let answer = try json(response)
                    #expect(answer["details"]?["field"] == .string(field), "\(uri)")
                }
            }
        }
    }

    @Test func aPreviewListsOccurrencesWithDSTMarksAndBoundsItsCount() async throws {
        try await withOrdinautApplication { client in
            let preview: JSONValue = ["schedule_kind": "cron", "schedule_expr": "30 2 * * *", "timezone": "Europe/Chisinau",
                                      "after": "2025-03-28T12:00", "count": 3]
            try await client.execute(uri: "/schedules/preview", method: .post, headers: jsonHeaders, body: body(preview)) { response in
                #expect(response.status == .ok)
                let occurrences = try json(response)["occurrences"]?.arrayValue ?? []
                #expect(occurrences.compactMap { $0["local"]?.stringValue } == [
                    "2025-03-29T02:30:00+02:00", "2025-03-30T03:30:00+03:00", "2025-03-31T02:30:00+03:00",
                ])
                #expect(occurrences.map { $0["dst_shift"] ?? "absent" } == [.null, "moved", .null])
                #expect(occurrences.first?["utc"] == "2025-03-29T00:30:00Z")
            }
            for (change, field) in [(["count": 0] as JSONObject, "count"), (["count": 101], "count"), (["count": "3"], "count"),
                                    (["schedule_kind": "event"], "schedule_kind"), (["timezone": "Mars/Olympus"], "timezone"),
                                    (["schedule_expr": "61 * * * *"], "schedule_expr"), (["after": "soon"], "after"), (["extra": 1], "extra")] {
                var fields = preview.objectValue!
                for (key, value) in change { fields[key] = value }
                try await client.execute(uri: "/schedules/preview", method: .post, headers: jsonHeaders, body: body(.object(fields))) { response in
                    #expect(response.status == .unprocessableContent, "\(change)")
                    let answer = try json(response)
                    #expect(answer["details"]?["field"] == .string(field), "\(change): \(String(buffer: response.body))")
                }
            }
        }
    }

    @Test func validationUsesCreatesChecksAndCreatesNothing() async throws {
        try await withOrdinautApplication { client in
            try await client.execute(uri: "/tasks/validate", method: .post, headers: jsonHeaders, body: body(Self.task)) { response in
                #expect(response.status == .ok)
                let answer = try json(response)
                #expect(answer == ["valid": true, "errors": []])
            }
            var badSchedule = Self.task.objectValue!
            badSchedule["schedule_expr"] = "every day"
            var badTool = Self.task.objectValue!
            badTool["payload"] = ["pipeline": [["id": "a", "uses": "ordinaut.approval", "with": ["prompt": "x"]], ["id": "b", "uses": "no_such_tool"]]]
            var badTemplate = Self.task.objectValue!
            badTemplate["payload"] = ["pipeline": [["id": "a", "uses": "ordinaut.approval", "with": ["prompt": "${steps.nowhere.x"]]]]
            var badArguments = Self.task.objectValue!
            badArguments["payload"] = ["pipeline": [["id": "a", "uses": "event_publish", "with": ["topic": 42]]]]
            for (fields, path) in [(badSchedule, "/schedule_expr"), (badTool, "/payload/pipeline/1/uses"), (badTemplate, "/payload/pipeline/0/with"),
                                   (badArguments, "/payload/pipeline/0/with")] {
                try await client.execute(uri: "/tasks/validate", method: .post, headers: jsonHeaders, body: body(.object(fields))) { response in
                    #expect(response.status == .ok)
                    let result = try json(response)
                    #expect(result["valid"] == false)
                    let first = result["errors"]?.arrayValue?.first
                    #expect(first?["path"]?.stringValue?.hasPrefix(path) == true, "\(result)")
                    #expect((first?["message"]?.stringValue ?? "").isEmpty == false)
                }
            }
            try await client.execute(uri: "/tasks", method: .get) { response in
                let answer = try json(response)
                #expect(answer["count"] == 0, "validating created nothing")
            }
        }
    }

    @Test func statsAnswerEveryFigure() async throws {
        try await withOrdinautApplication { client in
            try await client.execute(uri: "/tasks", method: .post, headers: jsonHeaders, body: body(Self.task)) { _ in }
            try await client.execute(uri: "/stats", method: .get) { response in
                #expect(response.status == .ok)
                let stats = try json(response)
                #expect(stats["due"]?["count"] == 0 && stats["due"]?["oldest_age_seconds"] == .null)
                #expect(stats["running"] == 0 && stats["waiting_approval"] == 0 && stats["dead_letters"] == 0)
                #expect(stats["failures_last_hour"] == 0)
                #expect(stats["workers"]?["alive"]?.integerValue != nil && stats["workers"]?["busy"] == 0)
                #expect(stats["extensions_in_error"] == ["count": 0, "ids": []])
                #expect(stats["leader"] != nil)
            }
        }
    }

    @Test func theContractIsServedAndTheRootSaysWhereThingsAre() async throws {
        try await withOrdinautApplication { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/json")
                let document = try json(response)
                #expect(document["paths"]?["/stats"] != nil && document["paths"]?["/changes"] != nil)
            }
            // The built-in web UI is enabled by default: the root leads to it.
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .seeOther && response.headers[.location] == "/ext/webui/")
            }
        }
        try await withOrdinautApplication(configure: { $0.extensions.disabled.insert("webui") }) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("/openapi.json"))
            }
        }
    }
}
