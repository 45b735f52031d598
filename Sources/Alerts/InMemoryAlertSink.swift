import NIOConcurrencyHelpers

/// Collects alerts in memory, like swift-log's `InMemoryLogHandler`: for tests of everything upstream of a
/// real destination. It can be told to refuse deliveries, to exercise retries, spooling and overflow.
public final class InMemoryAlertSink: AlertSink {
    private struct State {
        var alerts: [Alert] = []
        var failure: (retryable: Bool, reason: String)?
        var attempts = 0
        var reopened = 0
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func deliver(_ alerts: [Alert]) async throws(AlertDeliveryError) {
        let failure: (retryable: Bool, reason: String)? = state.withLockedValue { state in
            state.attempts += 1
            if let failure = state.failure { return failure }
            state.alerts.append(contentsOf: alerts)
            return nil
        }
        if let failure { throw AlertDeliveryError(retryable: failure.retryable, reason: failure.reason) }
    }

    public func reopen() async { state.withLockedValue { $0.reopened += 1 } }
    public func close() async { state.withLockedValue { $0.closed = true } }

    /// Makes every following delivery fail (`nil` restores success).
    public func setFailure(retryable: Bool, reason: String = "in-memory sink told to fail") {
        state.withLockedValue { $0.failure = (retryable, reason) }
    }

    public func clearFailure() { state.withLockedValue { $0.failure = nil } }

    public var alerts: [Alert] { state.withLockedValue { $0.alerts } }
    public var attempts: Int { state.withLockedValue { $0.attempts } }
    public var reopenCount: Int { state.withLockedValue { $0.reopened } }
    public var isClosed: Bool { state.withLockedValue { $0.closed } }
}
