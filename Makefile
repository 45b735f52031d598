# Vigil — set-up and entry points. `make run` and `make test` work on a fresh Debian 12 machine as root:
# each installs the missing system packages first (apt-get, only when something is missing), then builds.

SWIFT        ?= swift
BUILD_FLAGS  ?=
RELEASE_DIR  := .build/release
# Libraries Vigil links against, and what pkg-config needs to find them.
BUILD_PACKAGES := libaudit-dev libseccomp-dev libsqlite3-dev pkg-config
# What the test suite drives for real (the kernel audit tools, receivers, container runtime).
TEST_PACKAGES  := python3 rsyslog rsyslog-gnutls openssl gcc libc6-dev util-linux iproute2 systemd auditd curl tmux
# The side-by-side benchmark peer and the log generator's needs.
BENCH_PACKAGES := laurel auditd curl gcc python3 util-linux time

# How long `make fuzz` runs each target, and `make soak` the daemon (the figures in docs/RELIABILITY.md).
FUZZ_SECONDS ?= 300
SOAK_SECONDS ?= 1800

.PHONY: all deps test-deps bench-deps build release run install test asan bench fuzz soak clean

all: build

deps:
	@scripts/ensure-packages.sh $(BUILD_PACKAGES)

test-deps: deps
	@scripts/ensure-packages.sh $(TEST_PACKAGES)

bench-deps: deps
	@scripts/ensure-packages.sh $(BENCH_PACKAGES)

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

# Starts Vigil on the embedded default: the live kernel audit stream (as root), Falco's stock rules and Vigil's
# own (rules/), alerts as JSON lines on standard output. Ctrl-C stops it and removes its audit rules.
run: release
	$(RELEASE_DIR)/vigil run --config config/vigil.yaml --rules rules

install: release
	install -D -m 0755 $(RELEASE_DIR)/vigil $(DESTDIR)/usr/local/bin/vigil
	install -D -m 0644 systemd/vigil.service $(DESTDIR)/etc/systemd/system/vigil.service
	install -D -m 0640 config/vigil.yaml $(DESTDIR)/etc/vigil/vigil.yaml
	install -d $(DESTDIR)/etc/vigil/rules.d
	install -m 0644 rules/*.yaml $(DESTDIR)/etc/vigil/rules.d/

test: test-deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	# One test at a time: the live, kernel and container tests block their thread while they wait, and on a
	# 2-core machine two of them would starve the concurrency pool the alert pipeline's tests run on.
	$(SWIFT) test --skip-build --no-parallel $(BUILD_FLAGS)
	# Reliability, short: libFuzzer with AddressSanitizer on every target (45 s each), then a 2-minute soak of
	# the debug build live on the kernel stream under a lighter make-audit-log workload (its socket overruns are
	# reported, not failed: a debug build cannot keep up on two cores; `make soak` runs the release build).
	scripts/fuzz.sh 45
	VIGIL_BIN=.build/debug/vigil EXEC_WORKERS=1 NET_RATE=50 SOAK_ALLOW_OVERRUNS=1 scripts/soak.sh 120

# The whole test suite built with AddressSanitizer, in its own build directory (the tests run the ASan-built
# `vigil` beside them). UBSan is not offered for Swift on Linux (`-sanitize=undefined` is rejected).
asan: test-deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan $(BUILD_FLAGS)
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 $(SWIFT) test --skip-build --no-parallel --sanitize=address --scratch-path .build-asan $(ASAN_FILTER) $(BUILD_FLAGS)

# Long runs for the figures: every fuzz target for FUZZ_SECONDS; the release daemon soaked for SOAK_SECONDS
# with its RSS / open-fd plot written to docs/soak.png.
fuzz: test-deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

soak: bench-deps test-deps release
	@scripts/ensure-packages.sh gnuplot-nox
	SOAK_PLOT=docs/soak.png SOAK_CSV=docs/soak.csv scripts/soak.sh $(SOAK_SECONDS)

bench: bench-deps release
	scripts/bench.sh
	scripts/bench-live.sh
	scripts/bench-process-table.sh
	scripts/bench-baselines.sh

clean:
	rm -rf .build
