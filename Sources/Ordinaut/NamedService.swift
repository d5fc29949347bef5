import ServiceLifecycle

extension ServiceGroupConfiguration.ServiceConfiguration {
    /// A configuration named by the service's type. ServiceLifecycle's own default names a service by
    /// printing its value, which walks every stored property by reflection; at start-up each new
    /// type met that way costs lookups that scan every protocol conformance of the binary (several
    /// milliseconds in all), and the log metadata gets a dump of the service's fields.
    static func named(_ service: any Service,
                      onSuccess: ServiceGroupConfiguration.ServiceConfiguration.TerminationBehavior = .cancelGroup)
        -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: service, successTerminationBehavior: onSuccess, serviceName: _typeName(type(of: service), qualified: false))
    }
}
