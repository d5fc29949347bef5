import Logging
import OrdinautCore
import Synchronization
import Testing
@testable import OrdinautTracing

@Suite struct JSONLogHandlerTests {
    @Test func eachLineIsOneJSONObjectWithTheDocumentedFields() throws {
        let lines = Lines()
        var handler = JSONLogHandler(label: "ordinaut", metadataProvider: Logger.MetadataProvider { ["trace_id": "abc"] }) { line in
            lines.value.withLock { $0.append(line) }
        }
        handler.metadata["component"] = "scheduler"
        handler.metadata["level"] = "not the level"
        let configured = handler
        let logger = Logger(label: "ordinaut") { _ in configured }
        logger.warning("run \"x\"\nfailed", metadata: ["run_id": "r1"])
        let line = try #require(lines.value.withLock { $0.first })
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false, "a newline in the message stays escaped")
        let json = try JSONParser().parse(Array(line.dropLast()))
        #expect(json["level"] == "warning", "metadata never replaces a fixed field")
        #expect(json["message"] == "run \"x\"\nfailed")
        #expect(json["logger"] == "ordinaut")
        #expect(json["component"] == "scheduler")
        #expect(json["run_id"] == "r1")
        #expect(json["trace_id"] == "abc")
        let time = try #require(json["time"]?.stringValue)
        #expect(time.count == 24 && time.hasSuffix("Z"), "\(time)")
    }
}

final class Lines: Sendable {
    let value = Mutex<[[UInt8]]>([])
}
