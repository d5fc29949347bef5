import OrdinautExtensionKit

/// An extension compiled into this binary: a built-in (its manifest compiled in from
/// `extensions/<id>/extension.json`) or one added by a custom build, whose grants and eager flag come
/// from `ORDINAUT_EXT_ENTRY_GRANTS` and `ORDINAUT_EXT_ENTRY_EAGER`.
public struct CompiledExtension: Sendable {
    enum Origin: Sendable {
        case builtIn(manifest: String)
        case custom
    }

    let origin: Origin
    let make: @Sendable () -> any Extension

    /// An extension of a custom build (see `examples/swift-extension`).
    public init(_ make: @escaping @Sendable () -> any Extension) {
        origin = .custom
        self.make = make
    }

    package init(builtIn id: String, _ make: @escaping @Sendable () -> any Extension) {
        origin = .builtIn(manifest: "extensions/\(id)/extension.json")
        self.make = make
    }
}
