/// One page of a listing.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var hasMore: Bool
    /// Where the next page starts; nil on the last page.
    public var nextCursor: ListCursor?

    public init(items: [Item], hasMore: Bool, nextCursor: ListCursor? = nil) {
        self.items = items
        self.hasMore = hasMore
        self.nextCursor = nextCursor
    }
}
