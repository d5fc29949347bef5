import NIOCore

extension SocketAddress {
    /// The IP address without its port, as `ipAddress` gives it. IPv4 is written here: NIO formats
    /// it with `inet_ntop`, which goes through `sprintf`, and the access layer reads a client's
    /// address on every request. Other families take NIO's path.
    var clientAddressText: String? {
        guard case .v4(let address) = self else { return ipAddress }
        // `sockaddr_in` on Linux: the family (2 bytes), the port (2), then the address in network order.
        return withUnsafeBytes(of: address.address) { bytes in
            "\(bytes[4]).\(bytes[5]).\(bytes[6]).\(bytes[7])"
        }
    }
}
