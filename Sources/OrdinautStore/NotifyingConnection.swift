/// A connection that can tell other processes that work was added (PostgreSQL `NOTIFY`, sent at commit).
public protocol NotifyingConnection: SQLConnection {
    func notifyWork() throws(StoreError)
}
