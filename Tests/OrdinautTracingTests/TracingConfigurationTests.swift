import Testing
@testable import OrdinautTracing

@Suite struct TracingConfigurationTests {
    @Test func tracingIsOffWithoutAnEndpoint() throws {
        #expect(try !TracingConfiguration(environment: [:]).isEnabled)
        #expect(try !TracingConfiguration(environment: ["OTEL_SERVICE_NAME": "x"]).isEnabled)
    }

    @Test func theBaseEndpointGetsTheTracesPathAndTheSignalEndpointIsTakenAsItIs() throws {
        #expect(try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"]).endpoint == "http://c:4318/v1/traces")
        let both = try TracingConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t:9999/custom",
        ])
        #expect(both.endpoint == "http://t:9999/custom")
    }

    @Test func disabledOrNoneKeepsTracingOffWhateverTheEndpoint() throws {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]
        #expect(try !TracingConfiguration(environment: endpoint.merging(["OTEL_SDK_DISABLED": "true"]) { $1 }).isEnabled)
        #expect(try !TracingConfiguration(environment: endpoint.merging(["OTEL_TRACES_EXPORTER": "none"]) { $1 }).isEnabled)
    }

    @Test func onlyHTTPJSONIsAcceptedAndAnotherProtocolStopsTheStart() throws {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]
        #expect(try TracingConfiguration(environment: endpoint.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"]) { $1 }).isEnabled)
        for other in ["grpc", "http/protobuf"] {
            #expect(throws: TracingConfigurationError.self) {
                try TracingConfiguration(environment: endpoint.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": other]) { $1 })
            }
        }
        #expect(throws: TracingConfigurationError.self) {
            try TracingConfiguration(environment: endpoint.merging(["OTEL_TRACES_EXPORTER": "zipkin"]) { $1 })
        }
    }

    @Test func headersAndResourceAttributesArePercentDecodedPairs() throws {
        let configuration = try TracingConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20abc, x-tenant=7",
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource,deployment.environment=prod",
        ])
        #expect(configuration.headers.map(\.name) == ["Authorization", "x-tenant"])
        #expect(configuration.headers.first?.value == "Bearer abc")
        #expect(configuration.serviceName == "from-resource")
        let named = try TracingConfiguration(environment: ["OTEL_RESOURCE_ATTRIBUTES": "service.name=a", "OTEL_SERVICE_NAME": "b"])
        #expect(named.serviceName == "b", "OTEL_SERVICE_NAME wins")
        #expect(throws: TracingConfigurationError.self) {
            try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_HEADERS": "novalue"])
        }
    }

    @Test func batchLimitsAreReadAndChecked() throws {
        let configuration = try TracingConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "10",
            "OTEL_BSP_SCHEDULE_DELAY": "250", "OTEL_BSP_EXPORT_TIMEOUT": "1000",
        ])
        #expect(configuration.batch.maxQueueSize == 100 && configuration.batch.maxExportBatchSize == 10)
        #expect(configuration.batch.scheduleDelay == .milliseconds(250) && configuration.batch.exportTimeout == .seconds(1))
        #expect(throws: TracingConfigurationError.self) {
            try TracingConfiguration(environment: ["OTEL_BSP_MAX_QUEUE_SIZE": "10", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "20"])
        }
        #expect(throws: TracingConfigurationError.self) { try TracingConfiguration(environment: ["OTEL_BSP_SCHEDULE_DELAY": "soon"]) }
        #expect(throws: TracingConfigurationError.self) { try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "c:4318"]) }
    }
}
