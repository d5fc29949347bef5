import CCurl
import CHiredis
import CLazyLibrary
import CLibPQ
import Glibc
import Testing

@Suite("Libraries opened on first use")
struct LazyLibraryTests {
    /// Runs `ordinaut_lazy_open` on `soname` and `names`; the error text when it fails.
    private func open(_ soname: String, _ names: [String]) -> (opened: Bool, error: String) {
        var slots = [UnsafeMutableRawPointer?](repeating: nil, count: names.count)
        var error = [CChar](repeating: 0, count: 512)
        let cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let opened = cNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { names in
            ordinaut_lazy_open(soname, names.baseAddress, &slots, names.count, &error, error.count)
        }
        return (opened == 1, String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    @Test func resolvesEverySymbolOfAPresentLibrary() {
        let result = open("libc.so.6", ["strlen", "memchr"])
        #expect(result.opened)
        #expect(result.error.isEmpty)
    }

    @Test func namesTheLibraryThatIsMissing() {
        let result = open("libordinaut-absent.so.9", ["anything"])
        #expect(!result.opened)
        #expect(result.error.contains("libordinaut-absent.so.9 could not be loaded"))
    }

    @Test func namesTheSymbolThatIsMissing() {
        let result = open("libc.so.6", ["strlen", "ordinaut_no_such_function"])
        #expect(!result.opened)
        #expect(result.error.contains("libc.so.6 has no ordinaut_no_such_function"))
    }

    /// Every function the Swift code calls resolves in the libraries installed here: a name
    /// misspelt in a list, or a library too old, fails this rather than a user's first connection.
    @Test func theClientLibrariesLoadWithEveryFunction() {
        #expect(ordinaut_curl_load() == 1, "\(String(cString: ordinaut_curl_load_error()))")
        #expect(ordinaut_pq_load() == 1, "\(String(cString: ordinaut_pq_load_error()))")
        #expect(ordinaut_hiredis_load() == 1, "\(String(cString: ordinaut_hiredis_load_error()))")
        #expect(String(cString: curl_easy_strerror(CURLE_OK)) == "No error")
    }
}
