/// The runs a `WorkerPool` has claimed and not yet recorded, one entry per claim, by lease token.
///
/// Keyed by token, not by run or due item: a process that stalled past its leases may claim its own
/// run again while the first execution still runs, and the two must not share an entry. A pure
/// state machine; the pool holds it under a lock and does the waiting.
struct RunningWork<Work> {
    struct Entry {
        let work: Work
        let cancel: @Sendable () -> Void
        /// A renewal found another claim holding the lease: the run is theirs to finish.
        var lost = false
        /// The pool is stopping and hands the run back instead of recording it.
        var released = false
        /// The run's outcome is being recorded, which deletes its due item.
        var ending = false
    }

    /// How the end of an execution is to be recorded.
    enum Ending {
        /// Record the outcome.
        case record
        /// Hand the run back: the pool is stopping.
        case release
        /// Record nothing: another claim holds the lease (or the entry is unknown).
        case abandon
    }

    /// What a renewal that found no lease means.
    enum RenewalFailure: Equatable {
        /// Another claim took the run: cancel this execution.
        case lost
        /// The run was recorded meanwhile (its ending deleted the due item): nothing was lost.
        case ended
    }

    private var entries: [String: Entry] = [:]

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    mutating func claimed(_ work: Work, token: String, cancel: @escaping @Sendable () -> Void) {
        entries[token] = Entry(work: work, cancel: cancel)
    }

    /// The leases to renew now: all but the lost. A run being recorded keeps its lease too: recording
    /// is retried while the store is down, and the lease must outlast that.
    var toRenew: [(token: String, work: Work)] {
        entries.compactMap { token, entry in entry.lost ? nil : (token, entry.work) }
    }

    /// A renewal of `token` found the lease gone. Returns what that means; on `.lost`, the caller
    /// cancels the execution with `cancel`. A run being recorded, or recorded already, lost nothing:
    /// its own ending deleted the due item the renewal looked for.
    mutating func renewalFailed(_ token: String) -> (RenewalFailure, cancel: (@Sendable () -> Void)?) {
        guard let index = entries.index(forKey: token), !entries.values[index].ending else { return (.ended, nil) }
        entries.values[index].lost = true
        return (.lost, entries.values[index].cancel)
    }

    /// The execution of `token` ended: says how to record it, and marks it as being recorded.
    mutating func ending(_ token: String) -> Ending {
        // Through the index, in place: copying the entry out and writing it back allocated on each run.
        guard let index = entries.index(forKey: token), !entries.values[index].lost else { return .abandon }
        entries.values[index].ending = true
        return entries.values[index].released ? .release : .record
    }

    /// The run of `token` is recorded (or abandoned): it leaves.
    mutating func ended(_ token: String) {
        entries[token] = nil
    }

    /// The pool stops: every run still here is to be handed back when its execution ends. Returns
    /// the cancellations of those still executing.
    mutating func releaseAll() -> [@Sendable () -> Void] {
        var cancels: [@Sendable () -> Void] = []
        for token in entries.keys where entries[token]?.ending == false {
            entries[token]?.released = true
            if let cancel = entries[token]?.cancel { cancels.append(cancel) }
        }
        return cancels
    }
}
