/// `active` tasks produce work; `paused` ones keep their schedule but produce none; `canceled` is final.
public enum TaskStatus: String, Sendable, CaseIterable {
    case active, paused, canceled
}
