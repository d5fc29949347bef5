import Testing
@testable import OrdinautHTTP

@Suite("Connection deadlines")
struct ConnectionDeadlinesTests {
    let limits = ConnectionLimits(headerTimeout: .seconds(10), bodyTimeout: .seconds(30), idleTimeout: .seconds(60))

    @Test func aFreshConnectionIsIdleFromItsOpening() {
        let deadlines = ConnectionDeadlines(limits: limits, openedAt: .seconds(5))
        #expect(deadlines.deadline == .idle(.seconds(65)))
    }

    @Test func aHeadThatHasBegunRunsFromItsFirstByteNotFromTheLatest() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: .zero)
        deadlines.bytesArrived(at: .seconds(2))
        deadlines.bytesArrived(at: .seconds(9))
        #expect(deadlines.deadline == .header(.seconds(12)))
    }

    @Test func aBodyRunsFromTheEndOfItsHeadUntilTheRequestEnds() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: .zero)
        deadlines.bytesArrived(at: .seconds(1))
        deadlines.headReceived(at: .seconds(3))
        deadlines.bytesArrived(at: .seconds(20))
        #expect(deadlines.deadline == .body(.seconds(33)))
        deadlines.requestEnded()
        #expect(deadlines.deadline == nil)
    }

    @Test func noDeadlineWhileAnAnswerIsOwedOrStreamingHoweverLong() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: .zero)
        deadlines.headReceived(at: .seconds(1))
        deadlines.requestEnded()
        deadlines.answerBegan()
        #expect(deadlines.isAnswering)
        // A client that sends the next request while a stream is open starts no header deadline.
        deadlines.bytesArrived(at: .seconds(500))
        #expect(deadlines.deadline == nil)
        deadlines.answerEnded(at: .seconds(3_600))
        #expect(!deadlines.isAnswering)
        #expect(deadlines.deadline == .idle(.seconds(3_660)))
    }

    @Test func pipelinedRequestsKeepTheConnectionOwedUntilTheLastAnswer() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: .zero)
        deadlines.headReceived(at: .seconds(1))
        deadlines.requestEnded()
        deadlines.headReceived(at: .seconds(1))
        deadlines.requestEnded()
        deadlines.answerBegan()
        deadlines.answerEnded(at: .seconds(2))
        #expect(deadlines.deadline == nil)
        deadlines.answerBegan()
        deadlines.answerEnded(at: .seconds(4))
        #expect(deadlines.deadline == .idle(.seconds(64)))
    }

    @Test func anEarlyAnswerLeavesTheBodyDeadlineInForce() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: .zero)
        deadlines.headReceived(at: .seconds(1))
        deadlines.answerBegan()
        deadlines.answerEnded(at: .seconds(2))
        #expect(deadlines.deadline == .body(.seconds(31)))
    }

    @Test func theNextHeadAfterAnAnswerHasItsOwnHeaderDeadline() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: .zero)
        deadlines.headReceived(at: .seconds(1))
        deadlines.requestEnded()
        deadlines.answerBegan()
        deadlines.answerEnded(at: .seconds(2))
        deadlines.bytesArrived(at: .seconds(40))
        #expect(deadlines.deadline == .header(.seconds(50)))
    }
}
