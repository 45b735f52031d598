import Testing

@testable import ProcessState

struct CgroupParserTests {
    static let id = "443a953a76cd52068511314d3bf354c06793bf4f98f1e07b2028e9c6ec77153b"
    static let pod = "294eaca5-9f80-4a1d-a129-1b096c6c2340"

    @Test(arguments: [
        ("/system.slice/docker-\(id).scope", ContainerIdentity.Runtime.docker, nil as String?),
        ("/docker/\(id)", .docker, nil),
        (
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod294eaca5_9f80_4a1d_a129_1b096c6c2340.slice/cri-containerd-\(id).scope",
            .containerd, pod
        ),
        (
            "/kubepods.slice/kubepods-pod294eaca5_9f80_4a1d_a129_1b096c6c2340.slice/cri-containerd-\(id).scope",
            .containerd, pod
        ),
        ("/kubepods/besteffort/pod\(pod)/\(id)", .cri, pod),
        ("/kubepods/pod\(pod)/\(id)", .cri, pod),
        (
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod294eaca5_9f80_4a1d_a129_1b096c6c2340.slice/crio-\(id).scope",
            .crio, pod
        ),
        ("/machine.slice/libpod-\(id).scope", .podman, nil),
        ("/libpod_parent/libpod-\(id)", .podman, nil),
        ("/process_api/cb887a27c34020e5ebf21ccf02f67d58/system.slice/docker-\(id).scope", .docker, nil),
        ("/actions_job/\(id)", .unknown, nil),
    ])
    func recognisesEachRuntimeLayout(path: String, runtime: ContainerIdentity.Runtime, podUID: String?) throws {
        let c = try #require(CgroupParser.container(inCgroupFile: Array("12:pids:\(path)\n0::\(path)\n".utf8)))
        #expect(c.runtime == runtime)
        #expect(c.fullID == Self.id)
        #expect(c.shortID == String(Self.id.prefix(12)))
        #expect(c.podUID == podUID)
    }

    @Test func hostProcessesAreHost() throws {
        let text =
            "9:name=systemd:/\n4:memory:/process_api/cb887a27c34020e5ebf21ccf02f67d58\n0::/user.slice/user-0.slice/session-3.scope\n"
        let c = CgroupParser.container(inCgroupFile: Array(text.utf8))
        #expect(c?.isHost == true)
        #expect(c?.shortID == "host")
        // An exiting process's empty file is unknown, not the host.
        #expect(CgroupParser.container(inCgroupFile: [UInt8]()) == nil)
    }

    @Test func conmonScopesAreNotContainers() {
        for p in ["/machine.slice/libpod-conmon-\(Self.id).scope", "/system.slice/crio-conmon-\(Self.id).scope"] {
            #expect(CgroupParser.container(inCgroupFile: Array("0::\(p)\n".utf8))?.isHost == true, "\(p)")
        }
    }

    @Test func aKnownRuntimeWinsOverABareIdOnAnotherLine() {
        let text = "5:devices:/ecs/\(Self.id)\n0::/system.slice/docker-\(Self.id).scope\n"
        #expect(CgroupParser.container(inCgroupFile: Array(text.utf8))?.runtime == .docker)
    }

    @Test func shortOrUppercaseHexIsNotAnId() {
        let upper = Self.id.uppercased()
        for p in ["/docker/\(Self.id.prefix(63))", "/docker/\(upper)", "/system.slice/docker-\(Self.id)x.scope"] {
            #expect(CgroupParser.container(inCgroupFile: Array("0::\(p)\n".utf8))?.isHost == true, "\(p)")
        }
    }
}

struct ImageReferenceTests {
    @Test(arguments: [
        ("docker.io/library/nginx:1.25", "docker.io/library/nginx", "1.25" as String?, nil as String?),
        ("nginx", "nginx", "latest", nil),
        ("registry.local:5000/team/app", "registry.local:5000/team/app", "latest", nil),
        ("registry.local:5000/team/app:2", "registry.local:5000/team/app", "2", nil),
        ("app@sha256:abcd", "app", nil, "sha256:abcd"),
        ("app:1@sha256:abcd", "app", "1", "sha256:abcd"),
    ])
    func splits(reference: String, repository: String, tag: String?, digest: String?) {
        let r = ImageReference(reference)
        #expect(r.repository == repository)
        #expect(r.tag == tag)
        #expect(r.digest == digest)
    }
}

struct SmallDecoderTests {
    @Test func ttyNamesMapToDeviceNumbers() {
        #expect(TTYDevice.number(name: Array("pts0".utf8)[...]) == 34816)
        #expect(TTYDevice.number(name: Array("pts3".utf8)[...]) == 34819)
        #expect(TTYDevice.number(name: Array("tty1".utf8)[...]) == 1025)
        #expect(TTYDevice.number(name: nil) == 0)
        #expect(TTYDevice.number(name: Array("weird".utf8)[...]) == nil)
    }

    @Test func capabilitiesRenderByName() {
        #expect(Capabilities.render(0) == "")
        #expect(Capabilities.render(1 << 21 | 1) == "CAP_CHOWN CAP_SYS_ADMIN")
    }

    @Test func pathsJoinAndNormalize() {
        func j(_ b: String?, _ n: String) -> String? {
            PathName.join(b.map { Array($0.utf8)[...] }, Array(n.utf8)[...]).text
        }
        #expect(j("/root", "../etc/./shadow") == "/etc/shadow")
        #expect(j("/", "a//b/") == "/a/b")
        #expect(j(nil, "/etc/passwd") == "/etc/passwd")
        #expect(j(nil, "relative") == nil)
        #expect(j("/a", "../../..") == "/")
        // Absolute names already clean come back unchanged (without a copy); every other shape is normalised.
        func n(_ p: String) -> String? { PathName.normalize(Array(p.utf8)[...]).text }
        for clean in ["/", "/etc/shadow", "/a/...", "/.hidden/x", "/a/..b", "/a/b.", "/a/.b/c"] {
            #expect(n(clean) == clean)
        }
        #expect(n("/a/./b") == "/a/b")
        #expect(n("/a/../b") == "/b")
        #expect(n("/a//b") == "/a/b")
        #expect(n("/a/") == "/a")
        #expect(n("/a/.") == "/a")
        #expect(n("/a/..") == "/")
        #expect(n("//") == "/")
        #expect(n("/.") == "/")
        let (d, f) = PathName.split(Array("/etc/shadow".utf8)[...])
        #expect(d.text == "/etc" && f.text == "shadow")
        #expect(PathName.split(Array("/x".utf8)[...]).directory.text == "/")
    }

    @Test func procStatWithParenthesesInComm() throws {
        let line = "4242 (a) b) (c) S 17 4242 4242 34816 4242 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 100 0 0 0"
        let st = try #require(ProcFS.parseStat(Array(line.utf8)))
        #expect(st.ppid == 17)
        #expect(String(decoding: st.comm, as: UTF8.self) == "a) b) (c")
        #expect(st.ttyNumber == 34816)
        #expect(st.startTicks == 987654)
    }

    @Test func mountinfoUpperDirIsParsedAndUnescaped() {
        let text = """
            22 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/var/lib/x\\040y/upper,workdir=/w
            23 22 0:5 / /proc rw - proc proc rw

            """
        let m = MountTable.parse(Array(text.utf8))
        #expect(m.count == 2)
        #expect(m[0].upperDir.map { String(decoding: $0, as: UTF8.self) } == "/var/lib/x y/upper")
        #expect(m[1].fsType == Array("proc".utf8))
        #expect(MountTable.isPrefix(Array("/proc".utf8), of: Array("/proc/1".utf8)[...]))
        #expect(!MountTable.isPrefix(Array("/proc".utf8), of: Array("/procx".utf8)[...]))
    }

    @Test func procNetAddressesDecode() throws {
        let v4 = try #require(SocketTable.endpoint(Array("0100007F:1F90".utf8)[...]))
        #expect(v4.addressText == "127.0.0.1" && v4.port == 8080)
        let v6 = try #require(SocketTable.endpoint(Array("00000000000000000000000001000000:0050".utf8)[...]))
        #expect(v6.addressText == "::1" && v6.port == 80)
    }
}
