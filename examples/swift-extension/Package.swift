// swift-tools-version:6.1
// A custom build of Ordinaut: the whole `ordinaut` command line plus one more compiled-in
// extension, the way xcaddy adds modules to Caddy.
import PackageDescription

let package = Package(
    name: "ordinaut-with-greeter",
    platforms: [.macOS(.v15)],
    dependencies: [
        // In your own package: .package(url: "https://github.com/<you>/ordinaut.git", from: "0.1.0")
        .package(name: "Ordinaut", path: "../.."),
    ],
    targets: [
        .target(name: "Greeter", dependencies: [.product(name: "OrdinautExtensionKit", package: "Ordinaut")]),
        .executableTarget(
            name: "ordinaut-custom",
            dependencies: ["Greeter", .product(name: "OrdinautCommands", package: "Ordinaut")]
        ),
        .testTarget(
            name: "GreeterTests",
            dependencies: ["Greeter", .product(name: "OrdinautTesting", package: "Ordinaut")]
        ),
    ]
)
