import Foundation
import Logging
import Ordinaut
import OrdinautTracing

/// The settings every command shares, as given by the flags of `CommonOptions` (or none, for
/// `ordinaut stdio` started without flags): the log level and the fixture.
struct CommonSettings {
    var logLevel: String?
    var fixture: Configuration.Fixture?

    /// The configuration from the environment and these settings. `defaultLogLevel` applies when neither
    /// --log-level nor ORDINAUT_LOG_LEVEL is given: servers log at info, one-shot commands at warning.
    func configuration(defaultLogLevel: Logger.Level = .warning) throws -> Configuration {
        let environment = ProcessInfo.processInfo.environment
        var configuration = try Configuration(environment: environment)
        if environment["ORDINAUT_LOG_LEVEL"] == nil { configuration.logLevel = defaultLogLevel }
        if let logLevel { configuration.logLevel = try Configuration.level(logLevel, "--log-level") }
        configuration.fixture = fixture
        return configuration
    }

    /// Bootstraps logging: text or JSON lines on stderr, each carrying `trace_id`/`span_id` inside a span.
    func logger(_ configuration: Configuration, label: String) -> Logger {
        switch configuration.logFormat {
        case .text:
            LoggingSystem.bootstrap({ label, provider in StreamLogHandler.standardError(label: label, metadataProvider: provider) },
                                    metadataProvider: .traceIDs)
        case .json:
            LoggingSystem.bootstrap({ label, provider in JSONLogHandler(label: label, metadataProvider: provider) }, metadataProvider: .traceIDs)
        }
        var logger = Logger(label: label)
        logger.logLevel = configuration.logLevel
        return logger
    }
}
