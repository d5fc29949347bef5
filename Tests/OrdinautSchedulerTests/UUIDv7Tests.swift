import OrdinautStore
import Testing

@Suite("Row ids")
struct UUIDv7Tests {
    @Test func idsAreVersionSevenUUIDsInCreationOrder() {
        let ids = (0..<5000).map { _ in UUIDv7.make() }
        #expect(ids == ids.sorted(), "ids made later sort later")
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            let bytes = Array(id.utf8)
            #expect(bytes.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { bytes[$0] == UInt8(ascii: "-") }, "\(id)")
            #expect(bytes[14] == UInt8(ascii: "7"), "the version nibble of \(id)")
            #expect("89ab".utf8.contains(bytes[19]), "the variant of \(id)")
            #expect(bytes.enumerated().allSatisfy { [8, 13, 18, 23].contains($0.offset) || "0123456789abcdef".utf8.contains($0.element) })
        }
    }
}
