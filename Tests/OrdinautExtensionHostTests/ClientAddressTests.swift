import NIOCore
@testable import OrdinautExtensionKit
import Testing

/// A client's address as the access layer reads it: the IP without the port, as NIO writes it.
@Suite("Client address")
struct ClientAddressTests {
    @Test(arguments: ["127.0.0.1", "0.0.0.0", "10.1.2.3", "192.168.100.254", "255.255.255.255", "8.8.4.4"])
    func ipv4IsWrittenAsNIOWritesIt(_ ip: String) throws {
        let address = try SocketAddress(ipAddress: ip, port: 54321)
        #expect(address.clientAddressText == ip)
        #expect(address.clientAddressText == address.ipAddress)
    }

    @Test(arguments: ["::1", "2001:db8::8a2e:370:7334", "::ffff:127.0.0.1"])
    func ipv6TakesNIOsPath(_ ip: String) throws {
        let address = try SocketAddress(ipAddress: ip, port: 443)
        #expect(address.clientAddressText == address.ipAddress)
    }

    @Test func aUnixSocketHasNoIPAddress() throws {
        let address = try SocketAddress(unixDomainSocketPath: "/tmp/ordinaut-test.sock")
        #expect(address.clientAddressText == nil)
    }
}
