import Logging
import OrdinautTracing
import OrdinautWebhooks

/// Turns tracing on for this process when the configuration asks for it: the OTLP/HTTP JSON
/// exporter over libcurl, the batch processor (a service to run with the others, first so that it
/// stops last and flushes what the others finished) and the tracer behind every span.
public enum TracingSetup {
    /// Installs the tracer and returns the processor to run, or `nil` when tracing is off. Once per process.
    public static func install(_ configuration: Configuration, logger: Logger) -> BatchSpanProcessor? {
        let tracing = configuration.tracing
        guard let endpoint = tracing.endpoint else { return nil }
        // Two connections: exports are sequential, and a second one covers a connection being replaced.
        let client = CurlClient(maxConnections: 2)
        let headers = [(name: "Content-Type", value: "application/json")] + tracing.headers
        var exporterLogger = logger
        exporterLogger[metadataKey: "component"] = "tracing"
        let processor = BatchSpanProcessor(
            limits: tracing.batch,
            encoder: OTLPJSON(serviceName: tracing.serviceName, resourceAttributes: tracing.resourceAttributes, version: ordinautVersion),
            logger: exporterLogger
        ) { body, timeout in
            let call = HTTPCall(url: endpoint, method: "POST", headers: headers, body: body, timeout: timeout, maxResponseBytes: 64 << 10)
            switch await client.perform(call) {
            case .success(let response) where (200..<300).contains(response.status):
                return nil
            case .success(let response):
                return "the collector at \(endpoint) answered HTTP \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))"
            case .failure(let failure):
                return "POST \(endpoint): \(failure)"
            }
        }
        Spans.install(OTLPTracer(sampler: tracing.sampler, processor: processor, limits: tracing.spanLimits))
        logger.info("tracing: exporting spans to \(endpoint) as \(tracing.serviceName) (sampler \(tracing.sampler))")
        return processor
    }
}
