/// A first-in, first-out list whose oldest element is removed in constant time, however long the
/// list: removing moves a start index and releases the element at once; the emptied slots are
/// compacted away only when they are as many as the kept elements. Bounded buffers that keep the
/// latest of a stream (`ReplayBuffer`, the event bus's retention) drop their oldest through it.
public struct FrontQueue<Element> {
    private var slots: [Element?] = []
    private var head = 0

    public init() {}

    public var count: Int { slots.count - head }
    public var isEmpty: Bool { count == 0 }

    /// The oldest element.
    public var first: Element? { isEmpty ? nil : slots[head] }

    /// The elements, oldest first.
    public var elements: LazyMapSequence<ArraySlice<Element?>, Element> { slots[head...].lazy.map { $0! } }

    public mutating func append(_ element: Element) {
        slots.append(element)
    }

    /// Removes and returns the oldest element; the queue must not be empty.
    @discardableResult
    public mutating func removeFirst() -> Element {
        precondition(!isEmpty, "removeFirst on an empty FrontQueue")
        let element = slots[head]!
        slots[head] = nil
        head += 1
        if head >= count {
            slots.removeFirst(head)
            head = 0
        }
        return element
    }
}

extension FrontQueue: Sendable where Element: Sendable {}
