import HTTPTypes

extension HTTPFields {
    /// The value of field `name` exactly as `self[name]` gives it (several fields of that name joined
    /// with ", "), read in one pass and without a joined copy when the field occurs once, as nearly
    /// every field of every request does. A request reads a dozen fields on its way through the access
    /// layer and the MCP endpoint; `self[name]` costs a sequence, two scans and a join each time.
    ///
    /// Names are compared by length first: most fields of a request differ from the one wanted in
    /// length, and a length is read without comparing any text.
    package func value(_ name: HTTPField.Name) -> String? {
        let length = name.canonicalName.utf8.count
        var found: String?
        for field in self where field.name.canonicalName.utf8.count == length && field.name == name {
            guard found == nil else { return self[name] }
            found = field.value
        }
        return found
    }
}
