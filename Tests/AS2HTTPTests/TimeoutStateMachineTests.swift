@testable import AS2HTTP
import XCTest

/// The connection timer policy, without a channel.
final class TimeoutStateMachineTests: XCTestCase {
    func testRequestResponseCycleSwitchesBetweenIdleBodyWriteAndNone() {
        var machine = HTTPServerTimeoutStateMachine()
        XCTAssertEqual(machine.connectionActive(), .start(.idle))
        XCTAssertEqual(machine.requestHeadReceived(), .start(.body))
        XCTAssertEqual(machine.requestEndReceived(), .cancel, "no timer while the handler works")
        XCTAssertEqual(machine.responseHeadWritten(), .start(.write))
        XCTAssertEqual(machine.responseEndWritten(), .start(.idle))
        XCTAssertEqual(machine.requestHeadReceived(), .start(.body), "keep-alive: the next request gets a fresh body deadline")
    }

    func testEarlyResponseKeepsTheBodyDeadlineThenLingers() {
        var machine = HTTPServerTimeoutStateMachine()
        _ = machine.connectionActive()
        XCTAssertEqual(machine.requestHeadReceived(), .start(.body))
        XCTAssertEqual(machine.responseHeadWritten(), .none)
        XCTAssertEqual(machine.responseEndWritten(), .none)
        XCTAssertEqual(machine.outputClosedWritten(), .start(.linger))
        XCTAssertEqual(machine.requestEndReceived(), .none, "linger wins once output is closed")
    }

    func testExpiryClosesOnlyForTheCurrentTimer() {
        var machine = HTTPServerTimeoutStateMachine()
        _ = machine.connectionActive()
        let stale = machine.generation
        _ = machine.requestHeadReceived()
        XCTAssertEqual(machine.timerExpired(generation: stale), .none, "an idle expiry that lost the race is ignored")
        XCTAssertEqual(machine.timerExpired(generation: machine.generation), .close(.body))
        XCTAssertNil(machine.running)
    }

    func testClosedConnectionCancelsAndIgnoresExpiry() {
        var machine = HTTPServerTimeoutStateMachine()
        _ = machine.connectionActive()
        let generation = machine.generation
        XCTAssertEqual(machine.connectionClosed(), .cancel)
        XCTAssertEqual(machine.timerExpired(generation: generation), .none)
        XCTAssertEqual(machine.requestHeadReceived(), .none)
    }

    func testErrorResponseWithoutARequestReturnsToIdle() {
        var machine = HTTPServerTimeoutStateMachine()
        _ = machine.connectionActive()
        XCTAssertEqual(machine.responseHeadWritten(), .start(.write))
        XCTAssertEqual(machine.responseEndWritten(), .start(.idle))
    }
}
