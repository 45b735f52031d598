#if canImport(Glibc)
import Glibc
#endif
import NIOPosix

/// Alerts on standard output (Falco's `stdout_output`), as escaped text lines or JSON lines.
public final class StdoutAlertSink: AlertSink {
    public let format: AlertLineFormat
    private let fileDescriptor: Int32

    /// `fileDescriptor` is 1 in the daemon; another descriptor (a pipe) is for tests.
    public init(format: AlertLineFormat = .text, fileDescriptor: Int32 = 1) {
        self.format = format
        self.fileDescriptor = fileDescriptor
    }

    public func deliver(_ alerts: [Alert]) async throws(AlertDeliveryError) {
        let bytes = alerts.flatMap(format.line)
        let fd = fileDescriptor
        let code: Int32
        do {
            code = try await NIOThreadPool.singleton.runIfActive { FileDescriptorIO.writeAll(fd, bytes) }
        } catch {
            throw AlertDeliveryError(retryable: true, reason: "stdout: \(error)")
        }
        if code != 0 {
            throw AlertDeliveryError(retryable: true, reason: "stdout: \(FileDescriptorIO.describe(code))")
        }
    }
}
