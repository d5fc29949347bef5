import OrdinautCore
import OrdinautIO

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
    /// When set, the longest any extension may take to stop, overriding longer manifest limits:
    /// `ordinaut stdio` must exit about a second after its input ends.
    public var stopBudget: Duration?
    /// Folder where running subprocess extensions are recorded, so that a start after a crash kills
    /// what the crashed process left (`<data directory>/children`); nil records nothing.
    public var childRecords: String?
    /// Largest request body forwarded to a subprocess extension.
    public var maxBodyBytes = 4 << 20
    /// Largest file served from an extension's `static/` folder (`ORDINAUT_STATIC_MAX_FILE_BYTES`);
    /// a larger one answers 404 saying why.
    public var staticMaxFileBytes = 8 << 20
    /// Request headers the host never forwards to a subprocess extension's routes, besides its own
    /// credentials (`Authorization`, `Cookie`, `X-Ordinaut-Proxy-Secret`, `X-Ordinaut-User`,
    /// `X-Scopes`), which are always removed (`ORDINAUT_STRIP_HEADERS`).
    public var strippedHeaders: Set<String> = []
    /// The variables a webhook manifest's `secrets` may name: those starting with one of these
    /// prefixes, or listed exactly (`ORDINAUT_WEBHOOK_SECRETS`). The default allows
    /// `ORDINAUT_SECRET_<ID>_…` for extension `<id>` only (see `secretAllowed`).
    public var webhookSecretVariables: Set<String> = []
    /// Whether extension routes are served (`ordinaut serve`). Where they are not (`ordinaut stdio`,
    /// `ordinaut tools`), an eager extension granted nothing but `ROUTES` and `STATIC` has nothing to
    /// do (the built-in `observability` would keep metrics nobody can scrape), so it is not started;
    /// it stays ready to activate like a lazy one.
    public var routesServed = true
    /// A thread that reads subprocess extensions' stdout beside its own input (`ordinaut stdio`'s
    /// transport), so that their answers wake no reading thread; nil reads each on a thread of its own.
    package var lineReactor: (any LineReactor)?

    public init() {}

    /// Whether `record` starts with the host: declared eager, and with something to do here.
    func startsWithHost(_ record: ExtensionRecord) -> Bool {
        record.eager && (routesServed || !record.granted.isSubset(of: [.routes, .staticFiles]))
    }

    /// Whether extension `id`'s webhook manifest may name environment variable `variable` as a
    /// secret: `ORDINAUT_SECRET_<ID>_…` (the id upper-cased), or an operator-listed name or prefix
    /// (`PREFIX*`). Anything else — the proxy secret, the state key, the database URL — stays in the host.
    public func secretAllowed(_ variable: String, extensionID id: String) -> Bool {
        if variable.hasPrefix("ORDINAUT_SECRET_" + id.uppercased() + "_") { return true }
        for allowed in webhookSecretVariables {
            if allowed.hasSuffix("*") ? variable.hasPrefix(allowed.dropLast()) : variable == allowed { return true }
        }
        return false
    }
}
