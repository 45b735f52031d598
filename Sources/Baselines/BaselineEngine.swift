import AuditStream
import ProcessState

/// Learns each workload's profile and reports what falls outside it. Runs on the daemon's event thread: one
/// extraction and, per observed item, one hash-set lookup; new items and mode changes go to the `BaselineWriter`
/// in a batch per tick. Created once per daemon, so profiles outlive SIGHUP reloads.
public final class BaselineEngine {
    public var settings: BaselineSettings
    let writer: BaselineWriter?
    let responder: Responder
    public private(set) var profiles: [ProfileKey: Profile] = [:]
    public private(set) var statistics = Statistics()

    public struct Statistics: Sendable {
        public var events = 0
        public var profiledEvents = 0
        public var itemsLearned = 0
        public var deviations = 0
        /// Repeats of a deviation folded into a later alert instead of alerting.
        public var repeatsSuppressed = 0
        /// Items not learned, per dimension, because a cap was reached.
        public var dropped = Array(repeating: 0, count: Dimension.allCases.count)
        /// Events of workloads not profiled because `maxProfiles` profiles exist.
        public var profilesRefused = 0
        public var modeSwitches = 0
        public var protectActions = 0
        /// Events of the container runtime's own processes, left out (see `BaselineSettings.runtimeProcessPrefixes`).
        public var runtimeEvents = 0
    }

    private var keyCache: [String: ProfileKey] = [:]
    private var units: UnitResolver
    private var buffer: [Observation] = []
    private var extractor = BehaviourExtractor()
    private var batch = BaselineStore.Batch()
    private var dirty: Set<ProfileKey> = []
    private var repeats: [UInt64: RepeatState] = [:]
    private var nextSeq: [ProfileKey: Int] = [:]

    struct RepeatState {
        var lastAlertMillis: Int64
        var suppressed: Int
    }

    /// `store` nil keeps profiles in memory only (benchmarks); else they are loaded from it now and written back
    /// by a writer thread flushing every `flushInterval` seconds.
    public init(settings: BaselineSettings, store: BaselineStore?, flushInterval: Double = 1.0) throws {
        self.settings = settings
        responder = Responder()
        units = UnitResolver()
        if let store {
            var known: [String: Int64] = [:]
            for doc in try store.loadAll() {
                let p = doc.makeProfile()
                profiles[p.key] = p
                known[doc.key] = doc.revision
                nextSeq[p.key] = p.itemCount
            }
            let w = BaselineWriter(store: store, interval: flushInterval, known: known)
            writer = w
            w.start()
        } else {
            writer = nil
        }
    }

    /// The profile an event belongs to; nil for events not profiled (host processes unless `hostUnits`).
    func profileKey(_ e: EnrichedEvent) -> ProfileKey? {
        guard let identity = e.container?.identity else { return nil }
        if identity.isHost {
            guard settings.hostUnits, let pid = e.process.pid, let unit = units.unit(pid: pid) else { return nil }
            return ProfileKey(kind: .unit, name: unit)
        }
        // Metadata can arrive after the first events (the runtime writes it late): only a key with an image is
        // cached, so a container's later events move to its image's profile, taking what was learned under the
        // container's id along.
        if let k = keyCache[identity.fullID] { return k }
        guard let c = e.container else { return nil }
        let k = ProfileKey.forContainer(c)
        if let k, k.kind == .image {
            if keyCache.count >= 8_192 { keyCache.removeAll(keepingCapacity: true) }
            keyCache[c.fullID] = k
            adopt(ProfileKey(kind: .container, name: c.fullID), into: k, nowMillis: e.timeMillis)
        }
        return k
    }

    /// Moves a profile learned under a container's id into its image's profile, once the image is known.
    private func adopt(_ from: ProfileKey, into to: ProfileKey, nowMillis: Int64) {
        guard let old = profiles[from], old.mode == .learning else { return }
        let target: Profile
        if let p = profiles[to] {
            target = p
        } else {
            target = Profile(key: to, nowMillis: old.createdMillis)
            profiles[to] = target
        }
        profiles[from] = nil
        lastProfile = nil
        batch.removed.append(.init(key: from.description, revision: old.revision))
        dirty.insert(to)
        target.events += old.events
        guard target.mode == .learning else { return }
        for d in Dimension.allCases {
            for item in old.items[d.index] where !target.contains(d, item) {
                learn(Observation(d, Array(item.utf8)), target, old.lastGrowthMillis)
            }
        }
    }

    /// Learns from or checks one event; `deviation` is called for each item outside a monitored profile (at
    /// most once per repeat window for the same item).
    public func observe(_ e: EnrichedEvent, nowMillis: Int64, deviation: (Deviation) -> Void) {
        statistics.events += 1
        guard e.event.syscall != nil else { return }
        var isRuntime = false
        if let comm = e.event.process.comm, settings.runtimeProcessPrefixes.contains(where: { comm.starts(with: $0) }) {
            statistics.runtimeEvents += 1
            isRuntime = true
        }
        let profile: Profile
        // Consecutive events mostly come from one container: remember its profile (the id's storage is shared
        // with the enricher's, so the comparison is usually a pointer check).
        if let last = lastProfile, let id = e.container?.identity.fullID, id == lastContainerID {
            profile = last
        } else if let key = profileKey(e), let p = profiles[key] {
            profile = p
            remember(e, p)
        } else {
            guard let key = profileKey(e) else { return }
            guard profiles.count < settings.maxProfiles else {
                statistics.profilesRefused += 1
                return
            }
            profile = Profile(key: key, nowMillis: nowMillis)
            profiles[key] = profile
            dirty.insert(key)
            remember(e, profile)
        }
        statistics.profiledEvents += 1
        profile.events += 1
        buffer.removeAll(keepingCapacity: true)
        extractor.extract(e, into: &buffer)
        if isRuntime {
            // The runtime's calls never alert; while learning, its syscalls are kept (a seccomp profile must let
            // the runtime reach the workload's execve), nothing else of it.
            if profile.mode == .learning {
                for o in buffer where o.dimension == .syscall && !profile.contains(o) { learn(o, profile, nowMillis) }
            }
            return
        }
        if profile.mode == .learning {
            for o in buffer where !profile.contains(o) { learn(o, profile, nowMillis) }
            return
        }
        for o in buffer where !profile.contains(o) {
            // An exec whose parent is unknown has no process pair: its `x PATH` item stands in for it.
            if o.dimension == .file && o.item.first == UInt8(ascii: "x") {
                if hasProcessItem(buffer) { continue }
                var item = Array(o.item.dropFirst(2))
                item.append(contentsOf: " <- ?".utf8)
                report(Observation(.process, item), profile, e, nowMillis, deviation)
                continue
            }
            if o.dimension == .file && o.item.first == UInt8(ascii: "r") && !settings.alertFileReads { continue }
            report(o, profile, e, nowMillis, deviation)
        }
    }

    private var lastContainerID: String?
    private var lastProfile: Profile?

    private func remember(_ e: EnrichedEvent, _ p: Profile) {
        // Only image keys are final; a container's id key may still move to its image.
        guard p.key.kind == .image, let id = e.container?.identity.fullID else {
            lastProfile = nil
            return
        }
        lastContainerID = id
        lastProfile = p
    }

    private func hasProcessItem(_ b: [Observation]) -> Bool { b.contains { $0.dimension == .process } }

    private func learn(_ o: Observation, _ p: Profile, _ nowMillis: Int64) {
        let d = o.dimension.index
        guard p.items[d].count < settings.maxItemsPerDimension, p.itemCount < settings.maxItemsPerProfile else {
            if p.dropped[d] == 0 || p.dropped[d] % 1_000 == 0 { dirty.insert(p.key) }
            p.dropped[d] += 1
            statistics.dropped[d] += 1
            return
        }
        let text = o.text
        p.hashes[d].insert(o.hash)
        p.items[d].append(text)
        p.lastGrowthMillis = nowMillis
        statistics.itemsLearned += 1
        let seq = (nextSeq[p.key] ?? 0) + 1
        nextSeq[p.key] = seq
        batch.items.append(.init(key: p.key.description, revision: p.revision, dimension: o.dimension, value: text, seq: seq, timeMillis: nowMillis))
        dirty.insert(p.key)
    }

    private func report(
        _ o: Observation, _ p: Profile, _ e: EnrichedEvent, _ nowMillis: Int64, _ deviation: (Deviation) -> Void
    ) {
        let id = o.hash ^ (UInt64(truncatingIfNeeded: p.key.hashValue) &* 0x9E37_79B9_7F4A_7C15)
        var folded = 0
        if var r = repeats[id] {
            if nowMillis - r.lastAlertMillis < settings.repeatWindowMillis {
                r.suppressed += 1
                repeats[id] = r
                statistics.repeatsSuppressed += 1
                return
            }
            folded = r.suppressed
        }
        if repeats.count >= 65_536 { repeats.removeAll(keepingCapacity: true) }
        repeats[id] = RepeatState(lastAlertMillis: nowMillis, suppressed: 0)
        statistics.deviations += 1
        let text = o.text
        batch.deviations.append(.init(
            key: p.key.description, revision: p.revision, dimension: o.dimension, value: text, count: Int64(folded + 1),
            timeMillis: nowMillis))
        var d = Deviation(
            profile: p.key, mode: p.mode, dimension: o.dimension, item: text,
            rule: Dimension.ruleName(dimension: o.dimension, item: text),
            nearest: p.nearest(o.dimension, to: text), repeats: folded, timeMillis: nowMillis, event: e, action: nil)
        if p.mode == .protect {
            let action = settings.protectAction(for: p.key)
            if action != .none {
                statistics.protectActions += 1
                d.action = responder.respond(action, to: d)
            }
        }
        deviation(d)
    }

    /// Periodic work on the event thread: apply operators' changes, switch profiles whose learning is over, hand
    /// the batch to the writer.
    public func tick(nowMillis: Int64) {
        if let writer {
            let reloaded = writer.takeReloaded()
            if !reloaded.isEmpty { lastProfile = nil }
            for doc in reloaded {
                let p = doc.makeProfile()
                profiles[p.key] = p
                nextSeq[p.key] = p.itemCount
                dirty.remove(p.key)
                // Deviations of the old state must alert again under the new one.
                repeats.removeAll(keepingCapacity: true)
            }
        }
        for p in profiles.values where p.mode == .learning {
            if nowMillis - p.createdMillis >= settings.learningMillis && nowMillis - p.lastGrowthMillis >= settings.quietMillis {
                p.mode = settings.protectAfterLearning.contains(p.key.description) ? .protect : .monitoring
                p.modeChangedMillis = nowMillis
                statistics.modeSwitches += 1
                dirty.insert(p.key)
            }
        }
        for key in dirty {
            guard let p = profiles[key] else { continue }
            batch.profiles.append(.init(
                key: key.description, mode: p.mode, createdMillis: p.createdMillis, lastGrowthMillis: p.lastGrowthMillis,
                modeChangedMillis: p.modeChangedMillis, revision: p.revision, events: p.events, dropped: p.dropped))
        }
        dirty.removeAll(keepingCapacity: true)
        if let writer {
            // Profiles first: a new profile's row must exist before its items.
            writer.enqueue(batch)
        }
        batch = BaselineStore.Batch()
    }

    /// Sets a profile's mode directly (tests, benchmarks; operators use the store through `vigil baseline mode`).
    public func setMode(_ key: ProfileKey, _ mode: ProfileMode, nowMillis: Int64) {
        guard let p = profiles[key] else { return }
        p.mode = mode
        p.modeChangedMillis = nowMillis
        dirty.insert(key)
    }

    /// Hands everything to the store and waits for it to be written.
    public func flush(nowMillis: Int64) {
        tick(nowMillis: nowMillis)
        writer?.flush()
    }

    /// Final flush; the writer thread ends.
    public func close(nowMillis: Int64) {
        tick(nowMillis: nowMillis)
        writer?.stop()
    }

    public var storeErrors: Int { writer?.writeErrors ?? 0 }
    public var lastStoreError: String? { writer?.lastError }
}
