#if canImport(Glibc)
import Glibc
#endif

/// A failed request to the kernel's audit subsystem, with the operation and the errno it reported.
public struct AuditControlError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation): \(String(cString: strerror(errno)))" + (errno == EPERM ? " (needs root / CAP_AUDIT_CONTROL)" : "")
    }
}
