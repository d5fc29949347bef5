import OrdinautAuth
import OrdinautCore
import Synchronization

/// The resources, resource templates and prompts the server offers.
public final class ResourceRegistry: Sendable {
    private struct State {
        var resources: [String: Resource] = [:]
        var order: [String] = []
        var templates: [ResourceTemplate] = []
    }

    private let state = Mutex(State())
    private let changes: ChangeHub

    init(changes: ChangeHub) {
        self.changes = changes
    }

    /// Adds a resource; its URI must be unique.
    public func register(_ resource: Resource) throws(RegistrationError) {
        let added = state.withLock { state -> Bool in
            guard state.resources[resource.uri] == nil else { return false }
            state.resources[resource.uri] = resource
            state.order.append(resource.uri)
            return true
        }
        guard added else { throw RegistrationError("a resource with URI \(resource.uri) is already registered") }
        changes.publish(.resourcesListChanged)
    }

    /// Adds a resource template; its template text must be unique.
    public func register(_ template: ResourceTemplate) throws(RegistrationError) {
        let added = state.withLock { state -> Bool in
            guard !state.templates.contains(where: { $0.template.text == template.template.text }) else { return false }
            state.templates.append(template)
            return true
        }
        guard added else { throw RegistrationError("a resource template \(template.template.text) is already registered") }
        changes.publish(.resourcesListChanged)
    }

    /// Removes the resource at `uri`; returns whether it was there.
    @discardableResult
    public func unregister(uri: String) -> Bool {
        let removed = state.withLock { state -> Bool in
            guard state.resources.removeValue(forKey: uri) != nil else { return false }
            state.order.removeAll { $0 == uri }
            return true
        }
        if removed { changes.publish(.resourcesListChanged) }
        return removed
    }

    /// Tells subscribers that the resource at `uri` changed.
    public func notifyUpdated(_ uri: String) {
        changes.publish(.resourceUpdated(uri: uri))
    }

    var resources: [Resource] { state.withLock { state in state.order.compactMap { state.resources[$0] } } }
    var templates: [ResourceTemplate] { state.withLock { $0.templates } }

    /// The reader for `uri`: the resource with that URI, else the first template that matches it.
    func reader(for uri: String) -> (ResourceReader, [String: String], Resource?)? {
        state.withLock { state in
            if let resource = state.resources[uri] { return (resource.reader, [:], resource) }
            for template in state.templates {
                if let variables = template.template.match(uri) { return (template.reader, variables, nil) }
            }
            return nil
        }
    }

    /// The scope needed to read `uri`, or `nil` when nothing serves it.
    func scope(for uri: String) -> String? {
        state.withLock { state in
            if let resource = state.resources[uri] { return AccessPolicy.mcpScope(declared: resource.scope) }
            for template in state.templates where template.template.match(uri) != nil {
                return AccessPolicy.mcpScope(declared: template.scope)
            }
            return nil
        }
    }

    func template(named text: String) -> ResourceTemplate? {
        state.withLock { $0.templates.first { $0.template.text == text } }
    }

    func isSubscribable(_ uri: String) -> Bool {
        state.withLock { state in
            if let resource = state.resources[uri] { return resource.subscribable }
            return state.templates.contains { $0.template.match(uri) != nil }
        }
    }
}

/// The prompts the server offers.
public final class PromptRegistry: Sendable {
    private struct State {
        var prompts: [String: Prompt] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    private let changes: ChangeHub

    init(changes: ChangeHub) {
        self.changes = changes
    }

    /// Adds a prompt; its name must be unique.
    public func register(_ prompt: Prompt) throws(RegistrationError) {
        let added = state.withLock { state -> Bool in
            guard state.prompts[prompt.name] == nil else { return false }
            state.prompts[prompt.name] = prompt
            state.order.append(prompt.name)
            return true
        }
        guard added else { throw RegistrationError("a prompt named \(prompt.name) is already registered") }
        changes.publish(.promptsListChanged)
    }

    /// Removes the prompt called `name`; returns whether it was there.
    @discardableResult
    public func unregister(name: String) -> Bool {
        let removed = state.withLock { state -> Bool in
            guard state.prompts.removeValue(forKey: name) != nil else { return false }
            state.order.removeAll { $0 == name }
            return true
        }
        if removed { changes.publish(.promptsListChanged) }
        return removed
    }

    var all: [Prompt] { state.withLock { state in state.order.compactMap { state.prompts[$0] } } }

    func lookup(_ name: String) -> Prompt? { state.withLock { $0.prompts[name] } }
}
