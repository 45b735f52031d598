import Foundation
import Testing

@testable import ProcessState

/// The readers against files laid out as each runtime writes them.
struct ContainerMetadataReaderTests {
    static let id = "7c1f0e2f3b7a4d0c9a58f1e6d2b34a5c6d7e8f90a1b2c3d4e5f60718293a4b5c"

    /// A config.v2.json as dockerd 24 writes it (fields abridged only where empty), and its hostconfig.json.
    static let dockerConfig = """
        {"StreamConfig":{},"State":{"Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"RemovalInProgress":false,"Dead":false,"Pid":31337,"ExitCode":0,"Error":"","StartedAt":"2026-11-25T10:00:01.123456789Z","FinishedAt":"0001-01-01T00:00:00Z","Health":null},"ID":"\(id)","Created":"2026-11-25T10:00:00.987654321Z","Managed":false,"Path":"/docker-entrypoint.sh","Args":["nginx","-g","daemon off;"],"Config":{"Hostname":"7c1f0e2f3b7a","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","NGINX_VERSION=1.25.3"],"Cmd":["nginx","-g","daemon off;"],"Image":"nginx:1.25","Volumes":null,"WorkingDir":"","Entrypoint":["/docker-entrypoint.sh"],"OnBuild":null,"Labels":{"maintainer":"NGINX Docker Maintainers <docker-maint@nginx.com>","io.kubernetes.pod.name":"web-5d9c","io.kubernetes.pod.namespace":"shop"},"StopSignal":"SIGQUIT"},"Image":"sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6","ImageManifest":null,"NetworkSettings":{"Bridge":"","SandboxID":"4c2d","HairpinMode":false,"Networks":{"bridge":{"IPAddress":"172.17.0.2"}}},"LogPath":"/var/lib/docker/containers/\(id)/\(id)-json.log","Name":"/web1","Driver":"overlay2","OS":"linux","MountLabel":"","ProcessLabel":"","RestartCount":0,"HasBeenStartedBeforeRestart":false,"HasBeenManuallyStopped":false,"MountPoints":{},"SecretReferences":null,"ConfigReferences":null,"AppArmorProfile":"docker-default","HostnamePath":"/var/lib/docker/containers/\(id)/hostname","HostsPath":"/var/lib/docker/containers/\(id)/hosts","ShmPath":"/var/lib/docker/containers/\(id)/mounts/shm","ResolvConfPath":"/var/lib/docker/containers/\(id)/resolv.conf","SeccompProfile":"","NoNewPrivileges":false,"LocalLogCacheMeta":{"HaveNotifyEnabled":false}}
        """
    static let dockerHostConfig = """
        {"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"json-file","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[24,80],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"private","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"private","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":true,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":["label=disable"],"UTSMode":"","UsernsMode":"","ShmSize":67108864,"Runtime":"runc","Isolation":"","CpuShares":0,"Memory":0,"CgroupParent":"","MaskedPaths":null,"ReadonlyPaths":null}
        """

    @Test func dockerReaderReadsDockersOwnFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("containers/\(Self.id)/config.v2.json", Self.dockerConfig)
        try dir.write("containers/\(Self.id)/hostconfig.json", Self.dockerHostConfig)
        let m = try #require(DockerMetadataReader(root: dir.path).read(fullID: Self.id))
        #expect(m.runtime == .docker)
        #expect(m.name == "web1")
        #expect(m.image == "nginx:1.25")
        #expect(m.imageID == "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6")
        #expect(m.privileged == true)
        #expect(m.labels?["maintainer"] == "NGINX Docker Maintainers <docker-maint@nginx.com>")
        #expect(m.podName == "web-5d9c")
        #expect(m.podNamespace == "shop")
        let v = ContainerView(identity: ContainerIdentity(runtime: .docker, fullID: Self.id), metadata: m)
        #expect(v.id == "7c1f0e2f3b7a")
        #expect(v.imageRepository == "nginx")
        #expect(v.imageTag == "1.25")
        #expect(m.startNanos == 1_795_600_801_123_457_000)  // State.StartedAt 2026-11-25T10:00:01.123456789Z, to the µs
    }

    @Test func rfc3339TimesOfTheRuntimes() {
        #expect(RFC3339.nanoseconds("2026-11-25T10:00:01.123456789Z") == 1_795_600_801_123_457_000)
        #expect(RFC3339.nanoseconds("2026-11-25T11:00:01.5+01:00") == 1_795_600_801_500_000_000)
        #expect(RFC3339.nanoseconds("2026-11-25T10:00:01Z") == 1_795_600_801_000_000_000)
        // docker's zero time before a first start, and what is not a time at all
        #expect(RFC3339.nanoseconds("0001-01-01T00:00:00Z") == nil)
        for bad in ["", "2026-11-25", "2026-13-25T10:00:01Z", "yesterday"] {
            #expect(RFC3339.nanoseconds(bad) == nil, "\(bad)")
        }
    }

    @Test func dockerReaderMissesCleanly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(DockerMetadataReader(root: dir.path).read(fullID: Self.id) == nil)
        // A config of another container filed under this id, and a torn write, are not trusted.
        try dir.write(
            "containers/\(Self.id)/config.v2.json",
            Self.dockerConfig.replacingOccurrences(
                of: "\"ID\":\"\(Self.id)\"", with: "\"ID\":\"\(String(repeating: "a", count: 64))\""))
        #expect(DockerMetadataReader(root: dir.path).read(fullID: Self.id) == nil)
        try dir.write("containers/\(Self.id)/config.v2.json", String(Self.dockerConfig.prefix(200)))
        #expect(DockerMetadataReader(root: dir.path).read(fullID: Self.id) == nil)
        // Without hostconfig.json privileged is unknown, not false.
        try dir.write("containers/\(Self.id)/config.v2.json", Self.dockerConfig)
        #expect(DockerMetadataReader(root: dir.path).read(fullID: Self.id)?.privileged == nil)
    }

    @Test func dockerMountPointsBecomeMountsInDestinationOrder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // MountPoints as dockerd writes them for `-v /var/run/docker.sock:/var/run/docker.sock -v /etc:/host/etc:ro,z`.
        let points = """
            "MountPoints":{"/var/run/docker.sock":{"Source":"/var/run/docker.sock","Destination":"/var/run/docker.sock","RW":true,"Name":"","Driver":"","Type":"bind","Propagation":"rprivate","Spec":{"Type":"bind","Source":"/var/run/docker.sock","Target":"/var/run/docker.sock"},"SkipMountpointCreation":false},"/host/etc":{"Source":"/etc","Destination":"/host/etc","RW":false,"Name":"","Driver":"","Type":"bind","Mode":"ro,z","Relabel":"z","Propagation":"rprivate","Spec":{"Type":"bind","Source":"/etc","Target":"/host/etc","ReadOnly":true}}}
            """
        try dir.write("containers/\(Self.id)/config.v2.json", Self.dockerConfig.replacingOccurrences(of: "\"MountPoints\":{}", with: points))
        let m = try #require(DockerMetadataReader(root: dir.path).read(fullID: Self.id))
        #expect(m.mounts == [
            ContainerMount(source: "/etc", destination: "/host/etc", mode: "ro,z", readWrite: false, propagation: "rprivate"),
            ContainerMount(source: "/var/run/docker.sock", destination: "/var/run/docker.sock", readWrite: true, propagation: "rprivate"),
        ])
        #expect(m.mounts?.first?.text == "/etc:/host/etc:ro,z:false:rprivate")
        // The stock config (no volumes) has an empty list: known to have none, not unknown.
        try dir.write("containers/\(Self.id)/config.v2.json", Self.dockerConfig)
        #expect(DockerMetadataReader(root: dir.path).read(fullID: Self.id)?.mounts == [])
    }

    @Test func ociSpecBindMountsAreTheContainersMounts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // The runtime's own mounts (proc, tmpfs, devpts, sysfs, cgroup) are left out; binds keep ro and propagation.
        let mounts = """
            "mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
             {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755"]},
             {"destination": "/etc/hostname", "type": "bind", "source": "/run/containers/storage/x/userdata/hostname", "options": ["rbind", "rprivate", "rw"]},
             {"destination": "/host", "source": "/", "options": ["rbind", "ro", "rslave"]},
             {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro"]}],
            """
        try dir.write(
            "overlay-containers/\(Self.id)/userdata/config.json",
            Self.ociSpec(annotations: ["io.kubernetes.cri-o.ContainerID": Self.id], privileged: false)
                .replacingOccurrences(of: "\"root\":", with: mounts + " \"root\":"))
        let m = try #require(CRIOMetadataReader(roots: [dir.path]).read(fullID: Self.id))
        #expect(m.mounts == [
            ContainerMount(source: "/run/containers/storage/x/userdata/hostname", destination: "/etc/hostname", readWrite: true, propagation: "rprivate"),
            ContainerMount(source: "/", destination: "/host", readWrite: false, propagation: "rslave"),
        ])
    }

    static func ociSpec(annotations: [String: String], privileged: Bool) -> String {
        let ann = annotations.map { "\"\($0.key)\": \"\($0.value.replacingOccurrences(of: "\"", with: "\\\""))\"" }
            .joined(separator: ", ")
        let caps = privileged ? "[\"CAP_CHOWN\", \"CAP_SYS_ADMIN\"]" : "[\"CAP_CHOWN\", \"CAP_NET_RAW\"]"
        let masked = privileged ? "" : ", \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"]"
        return """
            {"ociVersion": "1.0.2", "process": {"user": {"uid": 0, "gid": 0}, "args": ["sleep", "60"], "capabilities": {"bounding": \(caps), "effective": \(caps)}},
             "root": {"path": "rootfs"}, "annotations": {\(ann)}, "linux": {"cgroupsPath": "x"\(masked)}}
            """
    }

    @Test func containerdReaderReadsCRIAnnotationsOfTheTaskBundle() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write(
            "io.containerd.runtime.v2.task/k8s.io/\(Self.id)/config.json",
            Self.ociSpec(
                annotations: [
                    "io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.container-name": "api",
                    "io.kubernetes.cri.image-name": "registry.local/shop/api:3.1",
                    "io.kubernetes.cri.sandbox-name": "api-7f9",
                    "io.kubernetes.cri.sandbox-namespace": "shop",
                    "io.kubernetes.cri.sandbox-uid": "294eaca5-9f80-4a1d-a129-1b096c6c2340",
                    "io.kubernetes.cri.sandbox-id": "abc123",
                ], privileged: false))
        let m = try #require(ContainerdMetadataReader(stateRoot: dir.path).read(fullID: Self.id))
        #expect(m.name == "api")
        #expect(m.image == "registry.local/shop/api:3.1")
        #expect(m.podName == "api-7f9")
        #expect(m.podNamespace == "shop")
        #expect(m.podUID == "294eaca5-9f80-4a1d-a129-1b096c6c2340")
        #expect(m.privileged == false)
        #expect(m.labels == nil)
        #expect(m.startNanos == nil)  // no init.pid: the task has not started
        try dir.write("io.containerd.runtime.v2.task/k8s.io/\(Self.id)/init.pid", "4242")
        var st = stat()
        #expect(stat(dir.path + "/io.containerd.runtime.v2.task/k8s.io/\(Self.id)/init.pid", &st) == 0)
        let started = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #expect(ContainerdMetadataReader(stateRoot: dir.path).read(fullID: Self.id)?.startNanos == started)
    }

    @Test func crioReaderReadsItsAnnotationsAndLabels() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write(
            "overlay-containers/\(Self.id)/userdata/config.json",
            Self.ociSpec(
                annotations: [
                    "io.kubernetes.cri-o.ContainerID": Self.id,
                    "io.kubernetes.cri-o.ImageName": "quay.io/team/worker:9",
                    "io.kubernetes.container.name": "worker", "io.kubernetes.pod.name": "worker-0",
                    "io.kubernetes.pod.namespace": "batch", "io.kubernetes.cri-o.Labels": "{\"app\":\"worker\"}",
                ], privileged: true))
        let m = try #require(CRIOMetadataReader(roots: ["/nonexistent", dir.path]).read(fullID: Self.id))
        #expect(m.runtime == .crio)
        #expect(m.name == "worker")
        #expect(m.image == "quay.io/team/worker:9")
        #expect(m.podName == "worker-0" && m.podNamespace == "batch")
        #expect(m.labels == ["app": "worker"])
        #expect(m.privileged == true)
    }

    @Test func podmanReaderReadsContainersJSON() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let other = String(repeating: "b", count: 64)
        try dir.write(
            "overlay-containers/containers.json",
            """
            [{"id":"\(other)","names":["other"],"image":"1111","metadata":"{}"},
             {"id":"\(Self.id)","names":["db"],"image":"9f2c","layer":"x","metadata":"{\\"image-name\\":\\"docker.io/library/postgres:16\\",\\"image-id\\":\\"9f2c\\",\\"name\\":\\"db\\",\\"created-at\\":1732500000}","created":"2026-11-25T10:00:00Z"}]
            """)
        try dir.write(
            "overlay-containers/\(Self.id)/userdata/config.json",
            Self.ociSpec(annotations: ["io.container.manager": "libpod"], privileged: false))
        let m = try #require(PodmanMetadataReader(root: dir.path).read(fullID: Self.id))
        #expect(m.name == "db")
        #expect(m.image == "docker.io/library/postgres:16")
        #expect(m.imageID == "sha256:9f2c")
        #expect(m.privileged == false)
        #expect(PodmanMetadataReader(root: dir.path).read(fullID: String(repeating: "c", count: 64)) == nil)
    }

    /// A resolver on a docker root only, retries capped at 1 s.
    static func dockerResolver(_ dir: TemporaryDirectory, startupMillis: Int64 = 2_000) -> ContainerResolver {
        ContainerResolver(
            roots: ContainerRuntimeRoots(docker: dir.path, containerd: nil, crio: [], podman: nil), retryMillis: 1_000,
            startupMillis: startupMillis)
    }

    @Test func resolverCachesPerContainerAndRetriesMisses() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let resolver = Self.dockerResolver(dir, startupMillis: 0)
        let identity = ContainerIdentity(runtime: .docker, fullID: Self.id)
        #expect(resolver.metadata(for: identity, now: 10_000) == nil)
        #expect(resolver.metadata(for: identity, now: 10_200) == nil)  // first miss cached for 250 ms
        #expect(resolver.lookups == 1)
        #expect(resolver.metadata(for: identity, now: 10_250) == nil)  // retried: second miss, cached for 500 ms
        #expect(resolver.metadata(for: identity, now: 10_700) == nil)
        #expect(resolver.lookups == 2)
        #expect(resolver.metadata(for: identity, now: 10_750) == nil)  // third miss: 1 s (the cap, retryMillis)
        try dir.write("containers/\(Self.id)/config.v2.json", Self.dockerConfig)
        #expect(resolver.metadata(for: identity, now: 11_500) == nil)  // miss cached until the retry time
        #expect(resolver.metadata(for: identity, now: 11_750)?.name == "web1")
        try dir.write("containers/\(Self.id)/config.v2.json", "{}")
        #expect(resolver.metadata(for: identity, now: 60_000)?.name == "web1")  // a hit is kept
        #expect(resolver.lookups == 4)
        #expect(resolver.metadata(for: .host, now: 0) == nil)
    }

    /// The lab, like any runtime that writes its state after starting the container, makes the runtime's own setup
    /// events miss; a program exec'd right after must not wait out the back-off (CI once missed "Debugfs Launched in
    /// Privileged Container" that way: `container.privileged` unknown for an exec 60 ms after the first miss).
    @Test func anExecRetriesAMissBeforeTheBackOffEnds() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let resolver = Self.dockerResolver(dir, startupMillis: 0)
        let identity = ContainerIdentity(runtime: .docker, fullID: Self.id)
        #expect(resolver.metadata(for: identity, now: 10_000) == nil)  // runc init: no state yet
        #expect(resolver.metadata(for: identity, now: 10_005, exec: true) == nil)  // an exec, but within 10 ms
        #expect(resolver.lookups == 1)
        #expect(resolver.metadata(for: identity, now: 10_020, exec: true) == nil)  // retried, still missing
        #expect(resolver.lookups == 2)
        try dir.write("containers/\(Self.id)/config.v2.json", Self.dockerConfig)
        #expect(resolver.metadata(for: identity, now: 10_060) == nil)  // any other event keeps the back-off
        #expect(resolver.metadata(for: identity, now: 10_060, exec: true)?.name == "web1")
        #expect(resolver.lookups == 3)
    }

    /// In a container's first seconds any event retries a miss (every 10 ms at most): an entrypoint that opens a file
    /// right after a runtime wrote its state late is judged with the state.
    @Test func aYoungContainerRetriesOnAnyEvent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let resolver = Self.dockerResolver(dir)
        let identity = ContainerIdentity(runtime: .docker, fullID: Self.id)
        #expect(resolver.metadata(for: identity, now: 10_000) == nil)
        #expect(resolver.metadata(for: identity, now: 10_009) == nil)
        #expect(resolver.metadata(for: identity, now: 10_010) == nil)
        #expect(resolver.lookups == 2)
        try dir.write("containers/\(Self.id)/config.v2.json", Self.dockerConfig)
        try dir.write("containers/\(Self.id)/hostconfig.json", Self.dockerHostConfig)
        #expect(resolver.metadata(for: identity, now: 10_030)?.privileged == true)
        #expect(resolver.lookups == 3)
        // Past the start-up window, a container that never has state falls back to the back-off.
        let other = ContainerIdentity(runtime: .docker, fullID: String(repeating: "d", count: 64))
        #expect(resolver.metadata(for: other, now: 20_000) == nil)
        for t in stride(from: Int64(20_010), to: 22_000, by: 10) { _ = resolver.metadata(for: other, now: t) }
        #expect(resolver.lookups == 3 + 200)
        #expect(resolver.metadata(for: other, now: 22_100) == nil)  // within 250 ms of the last try at 21 990
        #expect(resolver.lookups == 203)
        #expect(resolver.metadata(for: other, now: 22_240) == nil)
        #expect(resolver.lookups == 204)
        #expect(resolver.metadata(for: other, now: 22_600) == nil)  // the back-off made that one: now 500 ms
        #expect(resolver.lookups == 204)
    }

    /// Early retries do not lengthen the back-off: after one miss and exec retries that also miss, the next plain
    /// retry still comes 250 ms after the last attempt, not 500.
    @Test func execRetriesKeepTheBackOffStep() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let resolver = Self.dockerResolver(dir, startupMillis: 0)
        let identity = ContainerIdentity(runtime: .docker, fullID: Self.id)
        #expect(resolver.metadata(for: identity, now: 10_000) == nil)
        #expect(resolver.metadata(for: identity, now: 10_100, exec: true) == nil)
        #expect(resolver.metadata(for: identity, now: 10_200, exec: true) == nil)
        #expect(resolver.lookups == 3)
        try dir.write("containers/\(Self.id)/config.v2.json", Self.dockerConfig)
        #expect(resolver.metadata(for: identity, now: 10_449) == nil)
        #expect(resolver.metadata(for: identity, now: 10_450)?.name == "web1")
    }
}

struct AccountDatabaseTests {
    @Test func parsesPasswdAndGroup() {
        let db = AccountDatabase(
            passwd: Array(
                "root:x:0:0:root:/root:/bin/ash\n+nis::::::\nnginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\r\nbroken:x\n"
                    .utf8),
            group: Array("root:x:0:\nnginx:x:101:\n".utf8))
        #expect(db.user(0)?.name == "root")
        #expect(db.user(101) == AccountDatabase.User(name: "nginx", home: "/var/cache/nginx", shell: "/sbin/nologin"))
        #expect(db.user(5) == nil)
        #expect(db.groupName(101) == "nginx")
    }

    @Test func readsBelowARootWithoutFollowingLinksOut() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("root/etc/passwd", "app:x:1000:1000::/home/app:/bin/sh\n")
        try dir.write("secret", "s3cret:x:0:0::/:/bin/sh\n")
        #expect(
            SystemFile.readBelow(root: dir.path + "/root", components: ["etc", "passwd"]).map {
                String(decoding: $0, as: UTF8.self)
            }?.hasPrefix("app:") == true)
        // /etc/group as a symlink to a file outside the root is refused.
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/root/etc/group", withDestinationPath: dir.path + "/secret")
        #expect(SystemFile.readBelow(root: dir.path + "/root", components: ["etc", "group"]) == nil)
        // So is a FIFO (it would block the daemon).
        #expect(mkfifo(dir.path + "/root/etc/shadow", 0o600) == 0)
        #expect(SystemFile.readBelow(root: dir.path + "/root", components: ["etc", "shadow"]) == nil)
    }
}
