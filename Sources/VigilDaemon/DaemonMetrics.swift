import Prometheus

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's health in Prometheus' text format (swift-prometheus renders it). Values are the daemon's own
/// counters, copied in at scrape time: counters advance by their delta, gauges are set.
public final class DaemonMetrics {
    public let registry = PrometheusCollectorRegistry()
    private var counters: [String: (Counter, Int64)] = [:]
    private var gauges: [String: Gauge] = [:]

    public init() {}

    private func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + labels.map { "|\($0.0)=\($0.1)" }.joined()
    }

    /// Sets a monotonic counter to `value` (it only ever moves up by the difference).
    public func counter(_ name: String, _ labels: [(String, String)] = [], help: String, value: Int64) {
        let k = key(name, labels)
        if counters[k] == nil {
            counters[k] = (registry.makeCounter(name: name, labels: labels, help: help), 0)
        }
        let (c, last) = counters[k]!
        if value > last { c.increment(by: value - last) }
        counters[k] = (c, max(last, value))
    }

    public func gauge(_ name: String, _ labels: [(String, String)] = [], help: String, value: Double) {
        let k = key(name, labels)
        if gauges[k] == nil { gauges[k] = registry.makeGauge(name: name, labels: labels, help: help) }
        gauges[k]!.set(value)
    }

    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    /// Resident set size and CPU time of this process, from /proc/self.
    public static func processUsage() -> (rssBytes: Double, cpuSeconds: Double) {
        var rss = 0.0
        if let statm = FileText.contents("/proc/self/statm") {
            let parts = statm.split(separator: " ")
            if parts.count > 1, let pages = Double(parts[1]) { rss = pages * Double(sysconf(Int32(_SC_PAGESIZE))) }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        return (rss, cpu)
    }
}
