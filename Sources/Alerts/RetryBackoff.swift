/// Exponential backoff with full jitter, capped: `min(max, initial × multiplier^attempt)`, then a random
/// delay in [50 %, 100 %] of it so that many Vigil hosts do not reconnect in step after a collector restart.
public struct RetryBackoff: Sendable, Hashable, Codable {
    public var initialMilliseconds: Int
    public var maximumMilliseconds: Int
    public var multiplier: Double

    public init(initialMilliseconds: Int = 200, maximumMilliseconds: Int = 30_000, multiplier: Double = 2) {
        self.initialMilliseconds = initialMilliseconds
        self.maximumMilliseconds = maximumMilliseconds
        self.multiplier = multiplier
    }

    public func delay(attempt: Int) -> Duration {
        var milliseconds = Double(max(1, initialMilliseconds))
        for _ in 0..<min(attempt, 64) {
            milliseconds *= max(1, multiplier)
            if milliseconds >= Double(maximumMilliseconds) { break }
        }
        milliseconds = min(milliseconds, Double(max(maximumMilliseconds, 1)))
        let jittered = milliseconds * Double.random(in: 0.5...1.0)
        return .milliseconds(Int64(jittered))
    }

    enum CodingKeys: String, CodingKey {
        case initialMilliseconds = "initial_ms"
        case maximumMilliseconds = "max_ms"
        case multiplier
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = RetryBackoff()
        initialMilliseconds = try c.decodeIfPresent(Int.self, forKey: .initialMilliseconds) ?? defaults.initialMilliseconds
        maximumMilliseconds = try c.decodeIfPresent(Int.self, forKey: .maximumMilliseconds) ?? defaults.maximumMilliseconds
        multiplier = try c.decodeIfPresent(Double.self, forKey: .multiplier) ?? defaults.multiplier
    }
}
