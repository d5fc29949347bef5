import CBuildInfo

/// What `ordinaut_build_info` reports besides the version: the commit the binary was built from
/// (`unknown` when the build did not record one).
enum BuildInfo {
    static let commit: String = {
        let text = String(cString: ordinaut_build_commit()).filter { !$0.isWhitespace }
        return text.isEmpty ? "unknown" : text
    }()
}
