#!/usr/bin/env python3
"""Writes N synthetic exec lifecycles (clone in the parent, execve + exit_group in the child) as raw audit lines,
with ever-new pids, the shape of a node doing 1000 execs/s for a day: what the process table must survive."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = sys.stdout
serial = 1
t = 1_795_000_000_000  # ms
w = out.write
for i in range(n):
    pid = 10_000 + i
    ms = t + i  # 1000 execs/s of stream time
    sec, frac = divmod(ms, 1000)
    stamp = f"{sec}.{frac:03d}"
    w(f"type=SYSCALL msg=audit({stamp}:{serial}): arch=c000003e syscall=56 success=yes exit={pid} a0=1200011 a1=0 a2=0 a3=0 items=0 ppid=1 pid=900 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"bash\" exe=\"/usr/bin/bash\" key=\"vigil\"\n")
    w(f"type=EOE msg=audit({stamp}:{serial}): \n")
    serial += 1
    w(f"type=SYSCALL msg=audit({stamp}:{serial}): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=900 pid={pid} auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"true\" exe=\"/usr/bin/true\" key=\"vigil\"\n")
    w(f"type=EXECVE msg=audit({stamp}:{serial}): argc=2 a0=\"true\" a1=\"{i}\"\n")
    w(f"type=CWD msg=audit({stamp}:{serial}): cwd=\"/\"\n")
    w(f"type=PATH msg=audit({stamp}:{serial}): item=0 name=\"/usr/bin/true\" inode=5 dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n")
    w(f"type=EOE msg=audit({stamp}:{serial}): \n")
    serial += 1
    if i % 10 != 0:  # one process in ten dies by a signal: no audited exit, only the bounds remove it
        w(f"type=SYSCALL msg=audit({stamp}:{serial}): arch=c000003e syscall=231 success=yes exit=0 a0=0 a1=0 a2=0 a3=0 items=0 ppid=900 pid={pid} auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"true\" exe=\"/usr/bin/true\" key=\"vigil\"\n")
        w(f"type=EOE msg=audit({stamp}:{serial}): \n")
        serial += 1
