import OrdinautAuth
import OrdinautCore

/// How the host finds, grants and guards extensions. `Ordinaut.Configuration` fills it from the
/// `ORDINAUT_EXT_*` variables and `ORDINAUT_REQUIRE_SCOPES`.
public struct ExtensionHostConfiguration: Sendable {
    /// Folders searched for extensions (`ORDINAUT_EXT_PATHS`): each folder is an extension (it holds
    /// `extension.json`) or holds extension folders.
    public var paths: [String] = []
    /// Grants of compiled-in extensions of a custom build, by id (`ORDINAUT_EXT_ENTRY_GRANTS`).
    public var entryGrants: [String: Set<Capability>] = [:]
    /// Eager flags of compiled-in extensions of a custom build, by id (`ORDINAUT_EXT_ENTRY_EAGER`).
    public var entryEager: [String: Bool] = [:]
    /// Extensions not to load, by id (`ORDINAUT_EXT_DISABLED`).
    public var disabled: Set<String> = []
    /// Time limit of `setup`, `startup` and `shutdown` of compiled-in extensions.
    public var hookTimeout: Duration = .seconds(10)
    /// Largest request body forwarded to a subprocess extension.
    public var maxBodyBytes = 4 << 20
    /// Require scope `ext:<id>:routes` on `/ext/<id>/` routes (`ORDINAUT_REQUIRE_SCOPES`).
    public var requireScopes = false
    /// Bearer tokens and their scopes (`ORDINAUT_TOKENS_FILE`).
    public var tokens = TokensFileAuthenticator()
    /// The secret a trusted authenticating proxy sends in `X-Ordinaut-Proxy-Secret`; only then is its
    /// `X-Scopes` header believed (`ORDINAUT_PROXY_SECRET`).
    public var proxySecret: String?

    public init() {}
}
