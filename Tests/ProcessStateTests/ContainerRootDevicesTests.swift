import AuditStream
import Testing

@testable import ProcessState

/// Attribution of a process gone before its cgroup was read, by the device of the file it exec'd.
struct ContainerRootDevicesTests {
    let a = ContainerIdentity(runtime: .docker, fullID: String(repeating: "a", count: 64))
    let b = ContainerIdentity(runtime: .containerd, fullID: String(repeating: "b", count: 64))

    @Test func auditDeviceTextAndStatAgree() throws {
        // PATH records write major:minor in hexadecimal.
        #expect(ContainerRootDevices.device(fromAudit: Bytes("00:27".utf8)) == ContainerRootDevices.key(major: 0, minor: 0x27))
        #expect(ContainerRootDevices.device(fromAudit: Bytes("fe:00".utf8)) == ContainerRootDevices.key(major: 0xfe, minor: 0))
        #expect(ContainerRootDevices.device(fromAudit: Bytes("fe00".utf8)) == nil)
        #expect(ContainerRootDevices.device(fromAudit: Bytes(":".utf8)) == nil)
        // stat of this process's root is some device, and not the one of /proc (a different filesystem).
        let root = try #require(ContainerRootDevices.device(of: "/"))
        #expect(ContainerRootDevices.device(of: "/proc") != root)
    }

    @Test func onlyAContainersOwnRootAttributes() {
        let host = ContainerRootDevices.key(major: 0xfe, minor: 0)
        var devices = ContainerRootDevices(hostRoots: [host])
        // runc's init seen before pivot_root: its root is the host's; nothing learned, asked again later.
        devices.learn(root: host, of: a)
        #expect(devices.needsRoot(of: a))
        #expect(devices.container(onDevice: host) == nil)
        devices.learn(root: ContainerRootDevices.key(major: 0, minor: 0x27), of: a)
        #expect(!devices.needsRoot(of: a))
        #expect(devices.container(onDevice: ContainerRootDevices.key(major: 0, minor: 0x27)) == a)
        // Two containers on one device (rootfs directories on a shared filesystem): never used.
        devices.learn(root: ContainerRootDevices.key(major: 8, minor: 1), of: a)
        devices.learn(root: ContainerRootDevices.key(major: 8, minor: 1), of: b)
        #expect(devices.container(onDevice: ContainerRootDevices.key(major: 8, minor: 1)) == nil)
        // An overlay's anonymous device number is reused after its container is gone: the newest owns it.
        devices.learn(root: ContainerRootDevices.key(major: 0, minor: 0x27), of: b)
        #expect(devices.container(onDevice: ContainerRootDevices.key(major: 0, minor: 0x27)) == b)
        // A stale entry is dropped and its container looked at again.
        devices.forget(ContainerRootDevices.key(major: 0, minor: 0x27), of: b)
        #expect(devices.container(onDevice: ContainerRootDevices.key(major: 0, minor: 0x27)) == nil)
        #expect(devices.needsRoot(of: b))
    }
}
