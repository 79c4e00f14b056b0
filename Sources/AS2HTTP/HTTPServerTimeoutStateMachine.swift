/// Decides which connection timer should run, from the HTTP parts seen in each direction.
///
/// At most one timer runs at a time. While a request is being read, the body deadline (started at its
/// head) runs; while a response is being written, the write deadline; when every request has been
/// answered, the idle deadline; while the handler works, none. Once output is closed, only the linger
/// deadline remains. Pure value type: the channel handler carries out the returned actions.
struct HTTPServerTimeoutStateMachine {
    /// The timers a connection can have.
    enum Timer: Equatable {
        /// Waiting for (the rest of) a request head.
        case idle
        /// Reading a request body, measured from its head.
        case body
        /// Writing a response, measured from its final head.
        case write
        /// Output closed after an early response; drain input for a moment, then close.
        case linger
    }

    /// What the handler must do after an event.
    enum Action: Equatable {
        case none
        /// Cancel any running timer and start `timer`.
        case start(Timer)
        /// Cancel any running timer.
        case cancel
        /// Close the connection: `timer` expired.
        case close(Timer)
    }

    private var requestHeads = 0
    private var requestEnds = 0
    private var responseHeads = 0
    private var responseEnds = 0
    private var outputClosed = false
    private var closed = false
    private(set) var running: Timer?
    /// Increases on every (re)start so a stale expiry can be told apart from the current timer.
    private(set) var generation = 0

    /// The connection became active.
    mutating func connectionActive() -> Action { reevaluate(restart: false) }

    /// A request head was decoded.
    mutating func requestHeadReceived() -> Action {
        requestHeads += 1
        return reevaluate(restart: true)
    }

    /// A request ended (all of its body was received).
    mutating func requestEndReceived() -> Action {
        requestEnds += 1
        return reevaluate(restart: false)
    }

    /// A final (non-1xx) response head was written.
    mutating func responseHeadWritten() -> Action {
        responseHeads += 1
        return reevaluate(restart: false)
    }

    /// A response ended.
    mutating func responseEndWritten() -> Action {
        responseEnds += 1
        return reevaluate(restart: false)
    }

    /// The output side was closed (half-close after an early final response).
    mutating func outputClosedWritten() -> Action {
        outputClosed = true
        return reevaluate(restart: false)
    }

    /// The connection closed: nothing more to time.
    mutating func connectionClosed() -> Action {
        closed = true
        return reevaluate(restart: false)
    }

    /// The timer of `generation` expired.
    mutating func timerExpired(generation: Int) -> Action {
        guard !closed, generation == self.generation, let timer = running else { return .none }
        running = nil
        return .close(timer)
    }

    private var wanted: Timer? {
        if closed { return nil }
        if outputClosed { return .linger }
        if requestHeads > requestEnds { return .body }
        if responseHeads > responseEnds { return .write }
        if responseEnds >= requestHeads { return .idle }
        return nil
    }

    private mutating func reevaluate(restart: Bool) -> Action {
        let next = wanted
        if next == running && !(restart && next == .body) { return .none }
        running = next
        generation += 1
        if let next { return .start(next) }
        return .cancel
    }
}
