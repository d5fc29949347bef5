// swift-tools-version:6.1
// The HTTP limit for benchmark W2: a bare Hummingbird 2 route returning a fixed body, built with the
// same toolchain and Hummingbird version as Ordinaut.
import PackageDescription

let package = Package(
    name: "HummingbirdBaseline",
    platforms: [.macOS(.v15)],
    dependencies: [.package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0")],
    targets: [
        .executableTarget(name: "HummingbirdBaseline", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),
    ]
)
