import Foundation
import OrdinautCore
import OrdinautStore

// How agents and tokens appear on every surface: snake_case fields, ISO-8601 UTC times.

extension AgentRecord {
    /// The agent as every API shows it.
    public var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "scopes": .array(scopes.map(JSONValue.string)), "disabled": .bool(disabled),
            "created_at": .string(isoTime(createdAt)), "created_by": .string(createdBy),
        ]
    }
}

extension AgentTokenRecord {
    /// `active`, `expired` or `revoked` at `now` (milliseconds since 1970).
    public func status(at now: Int64) -> String {
        if revokedAt != nil { return "revoked" }
        return isUsable(at: now) ? "active" : "expired"
    }

    /// The token as every API shows it at `now`: never the token itself, which is not stored.
    public func json(at now: Int64) -> JSONValue {
        [
            "id": .string(id), "agent_id": .string(agentID), "prefix": .string(prefix), "label": label.map(JSONValue.string) ?? .null,
            "status": .string(status(at: now)), "created_at": .string(isoTime(createdAt)), "expires_at": isoTime(expiresAt),
            "last_used_at": isoTime(lastUsedAt), "revoked_at": isoTime(revokedAt),
        ]
    }
}

extension IssuedAgentToken {
    /// The token in clear with the warning that it is shown once, and its record.
    public func json(at now: Int64) -> JSONValue {
        ["token": .string(token), "warning": .string(Self.warning), "agent": .string(agent.name), "record": record.json(at: now)]
    }
}

/// ISO-8601 UTC text for stored milliseconds: `2025-03-30T06:00:00.000Z`.
func isoTime(_ milliseconds: Int64) -> String {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

func isoTime(_ milliseconds: Int64?) -> JSONValue {
    milliseconds.map { .string(isoTime($0)) } ?? .null
}
