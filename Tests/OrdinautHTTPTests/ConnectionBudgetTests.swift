import Testing
@testable import OrdinautHTTP

/// `#expect` cannot call a mutating method.
private func admit(_ budget: inout ConnectionBudget) -> Bool { budget.admit() }

@Suite("Connection budget")
struct ConnectionBudgetTests {
    @Test func servesUpToTheLimitThenRefusesThenStopsAccepting() {
        var budget = ConnectionBudget(maxConnections: 2, refusalSlots: 1)
        for _ in 0..<2 {
            budget.accepted()
            #expect(admit(&budget))
        }
        #expect(!budget.isFull)
        budget.accepted()
        #expect(!admit(&budget))
        #expect(budget.isFull)
        budget.closed()
        #expect(!budget.isFull)
    }

    @Test func aServedConnectionThatLeavesMakesRoomForTheNext() {
        var budget = ConnectionBudget(maxConnections: 1, refusalSlots: 1)
        budget.accepted()
        #expect(admit(&budget))
        budget.accepted()
        #expect(!admit(&budget))
        budget.left()
        budget.closed()
        budget.accepted()
        #expect(admit(&budget))
        #expect(budget.served == 1)
    }

    @Test func aConnectionTakenWithTheReserveIsRefusedWhateverTheCount() {
        var budget = ConnectionBudget(maxConnections: 100)
        budget.refuseNext()
        budget.accepted()
        #expect(!admit(&budget))
        budget.accepted()
        #expect(admit(&budget))
    }

    @Test func theDefaultLimitKeepsTheReserveFree() {
        #expect(ConnectionLimits.maxConnections(descriptorLimit: 256) == 256 - ConnectionLimits.descriptorReserve)
        #expect(ConnectionLimits.maxConnections(descriptorLimit: 1_048_576) == ConnectionLimits.defaultMaxConnections)
        #expect(ConnectionLimits.maxConnections(descriptorLimit: 10) == 1)
    }
}
