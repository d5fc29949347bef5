// Instrumented modules use the Tracer API (`Span`, `SpanStatus`, `SpanLink`) through this module.
@_exported import Tracing
