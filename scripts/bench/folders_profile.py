#!/usr/bin/env python3
"""Where the folder scenario's time goes: two agents (A sends, B receives) as in `make bench`,
3,000 1 KiB files at 64 pending, and per file the CPU of each agent, the load generator's and the
watcher programs' share, the machine's CPU split (/proc/stat) and context switches. Optionally
with `perf` attached (perf slows the agents: read its profiles as shares, never its files/s).

    scripts/bench/folders_profile.py                       # CPU per file, no perf
    scripts/bench/folders_profile.py --perf syscalls       # + fsync/futex/open/link calls per file
    scripts/bench/folders_profile.py --perf graph          # + perf record -g of A and B
    scripts/bench/folders_profile.py --agent /tmp/old/as2-agent   # another build, side by side

Needs a release build (`swift build -c release`); keys are made with `as2-bench keys` on the
first run. Work files go under --work and are never deleted here: on ext4 without a journal,
deleting many files slows every file creation for the next minute (docs/performance.md).
"""

import argparse
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_folders  # noqa: E402

SYSCALLS = ["fsync", "fdatasync", "futex", "openat", "rename", "link"]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def context_switches(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                total += sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        except OSError:
            pass
    return total


def machine_ticks():
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:9]]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agent", default=".build/release/as2-agent")
    p.add_argument("--swift-bench", default=".build/release/as2-bench")
    p.add_argument("--work", default=".build/folders-profile")
    p.add_argument("--count", type=int, default=3000)
    p.add_argument("--in-flight", type=int, default=64)
    p.add_argument("--perf", choices=["none", "syscalls", "graph"], default="none")
    p.add_argument("--out", default=".build/folders-profile", help="where perf writes its files")
    a = p.parse_args()
    a.work, a.out = os.path.abspath(a.work), os.path.abspath(a.out)  # the agents' configuration needs absolute paths

    keys = os.path.join(a.work, "keys")
    if not os.path.exists(os.path.join(keys, "sender.cert.pem")):
        os.makedirs(keys, exist_ok=True)
        subprocess.run([a.swift_bench, "keys", "--directory", keys], check=True)
    work = os.path.join(a.work, "run-%d" % time.time())
    os.makedirs(work)
    os.makedirs(a.out, exist_ok=True)
    pair = agent_folders.AgentPair(os.path.abspath(a.agent), keys, os.path.join(work, "pair"))
    try:
        pa, pb = pair.servers["a"].pid, pair.servers["b"].pid
        agent_folders.drop(a.swift_bench, pair.outbox, "--count", "300", "--mode", "window", "--in-flight", str(a.in_flight), "--prefix", "warm")
        time.sleep(1)
        perfs = []
        for side, pid in (("a", pa), ("b", pb)):
            if a.perf == "syscalls":
                events = ",".join(f"syscalls:sys_enter_{s}" for s in SYSCALLS)
                cmd = ["perf", "stat", "-e", events, "-p", str(pid), "-o", os.path.join(a.out, f"syscalls.{side}.txt")]
            elif a.perf == "graph":
                cmd = ["perf", "record", "-g", "-F", "999", "-p", str(pid), "-o", os.path.join(a.out, f"perf.{side}.data")]
            else:
                continue
            perfs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if perfs:
            time.sleep(0.5)
        watchers = [w for pid in (pa, pb) for w in agent_folders.children(pid)]
        before = {pid: (cpu_seconds(pid), context_switches(pid)) for pid in (pa, pb)}
        watchers_before = {w: cpu_seconds(w) for w in watchers}
        usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        ticks_before = machine_ticks()
        t0 = time.time()
        result = agent_folders.drop(a.swift_bench, pair.outbox, "--count", str(a.count), "--mode", "window", "--in-flight", str(a.in_flight), "--prefix", "w")
        seconds = time.time() - t0
        ticks = [y - x for x, y in zip(ticks_before, machine_ticks())]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        after = {pid: (cpu_seconds(pid), context_switches(pid)) for pid in (pa, pb)}
        watcher_cpu = sum(cpu_seconds(w) - c for w, c in watchers_before.items())
        for proc in perfs:
            proc.send_signal(2)
            proc.wait()
    finally:
        pair.stop()

    n = a.count
    print(f"files/s {result['files_per_second']:.0f}  p50 {result['latency_ms']['p50']:.1f} ms  missing {result['missing']}")
    for side, pid in (("A (sender)", pa), ("B (receiver)", pb)):
        cpu = after[pid][0] - before[pid][0]
        print(f"{side}: {cpu / n * 1000:.2f} ms CPU per file, {cpu / seconds:.2f} cores, {(after[pid][1] - before[pid][1]) / n:.1f} context switches per file")
    generator = usage.ru_utime + usage.ru_stime - usage_before.ru_utime - usage_before.ru_stime
    print(f"load generator {generator / seconds:.2f} cores, watcher programs {watcher_cpu / seconds:.3f} cores")
    total = sum(ticks)
    names = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    cores = os.cpu_count()
    print("machine (cores): " + ", ".join(f"{name} {t / total * cores:.2f}" for name, t in zip(names, ticks)))
    if a.perf == "syscalls":
        for side in "ab":
            counts = {}
            with open(os.path.join(a.out, f"syscalls.{side}.txt")) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 2 and parts[1].startswith("syscalls:sys_enter_"):
                        counts[parts[1].removeprefix("syscalls:sys_enter_")] = int(parts[0].replace(",", "")) / n
            print(f"{side.upper()} calls per file: " + ", ".join(f"{k} {v:.2f}" for k, v in counts.items()))
    elif a.perf == "graph":
        print(f"profiles: perf report -i {a.out}/perf.a.data (and perf.b.data) --children --sort symbol")


if __name__ == "__main__":
    main()
