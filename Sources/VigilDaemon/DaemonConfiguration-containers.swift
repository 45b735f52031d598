import ProcessState

extension DaemonConfiguration {
    /// The runtime metadata roots: the runtimes' defaults, each replaced by its `containers:` key when set.
    public var runtimeRoots: ContainerRuntimeRoots {
        var r = ContainerRuntimeRoots()
        if !containers.dockerRoot.isEmpty { r.docker = containers.dockerRoot }
        if !containers.containerdRoot.isEmpty { r.containerd = containers.containerdRoot }
        if !containers.crioRoots.isEmpty { r.crio = containers.crioRoots }
        if !containers.podmanRoot.isEmpty { r.podman = containers.podmanRoot }
        return r
    }
}
