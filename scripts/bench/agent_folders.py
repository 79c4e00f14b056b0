"""Issue 5: files dropped into an outbox, sent by one agent to another on loopback, each timed
until its receipt is in sent/ — plus 10,000 configured partners (start-up and idle CPU) and one
1 GiB file end to end.

Two agents run with durability on (their defaults: fsync everywhere): A is bench-sender (partner
"receiver"), B is bench-receiver (partner "sender"); 1 KiB files, signed (SHA-256) and encrypted
(AES-256-CBC) with signed sync MDNs. `as2-bench drop` writes the files and watches sent/.
"""

import json
import os
import subprocess
import time
import urllib.request

import processes

IDLE_SETTLE_S = 5  # seconds after /healthz before idle CPU is measured

PARTNER_BLOCK = '''
[[partner]]
name = "{name}"
as2_id = "{as2_id}"
url = "http://127.0.0.1:{port}/as2"
certificate = "{certificate}"
content_type = "application/octet-stream"
max_message_size = "2GiB"
'''


def agent_config(path, *, as2_id, role, keys, work, port, admin_port, partners):
    """agent.conf: our identity is ``role``'s key; ``partners`` are (name, as2_id, port, cert role)."""
    text = f'''# as2-bench: issue 5 benchmark agent; generated
[agent]
as2_id = "{as2_id}"
spool_dir = "{work}/spool"
state_dir = "{work}/state"
certificate = "{keys}/{role}.cert.pem"
private_key = "{keys}/{role}.key.pem"
log_level = "warning"

[http]
listen = "127.0.0.1:{port}"
admin_listen = "127.0.0.1:{admin_port}"
'''
    with open(path, "w") as f:
        f.write(text)
        for name, partner_id, partner_port, cert_role in partners:
            f.write(PARTNER_BLOCK.format(name=name, as2_id=partner_id, port=partner_port,
                                         certificate=f"{keys}/{cert_role}.cert.pem"))


def wait_healthy(admin_port, proc, timeout=120):
    """Seconds until /healthz answers 200 (listening and watching every outbox)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the agent exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"/healthz on {admin_port} not 200 after {timeout} s")


def peak_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def children(pid):
    """Child processes started by any thread of ``pid`` (the watcher program)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return found


def drop(swift_bench, outbox, *args):
    out = subprocess.run([swift_bench, "drop", "--outbox", outbox, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"as2-bench drop failed ({out.returncode}): {out.stderr[-2000:]}")
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"as2-bench drop printed no result: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


class AgentPair:
    """Agents A (sender) and B (receiver) on loopback."""

    def __init__(self, agent_bin, keys, work):
        self.work = work
        pa, pb, aa, ab = (processes.free_port() for _ in range(4))
        self.dirs = {"a": os.path.join(work, "a"), "b": os.path.join(work, "b")}
        for d in self.dirs.values():
            os.makedirs(d)
        agent_config(os.path.join(self.dirs["a"], "agent.conf"), as2_id="bench-sender", role="sender", keys=keys,
                     work=self.dirs["a"], port=pa, admin_port=aa, partners=[("receiver", "bench-receiver", pb, "receiver")])
        agent_config(os.path.join(self.dirs["b"], "agent.conf"), as2_id="bench-receiver", role="receiver", keys=keys,
                     work=self.dirs["b"], port=pb, admin_port=ab, partners=[("sender", "bench-sender", pa, "sender")])
        self.servers = {}
        for side, port, admin in (("b", pb, ab), ("a", pa, aa)):
            conf = os.path.join(self.dirs[side], "agent.conf")
            server = processes.Server([agent_bin, "run", "--config", conf], os.path.join(self.dirs[side], "agent.log"), port=port)
            wait_healthy(admin, server.proc)
            self.servers[side] = server
        self.outbox = os.path.join(self.dirs["a"], "spool", "receiver", "outbox")

    def stop(self):
        for server in self.servers.values():
            server.stop()


def run(swift_bench, agent_bin, keys, work, *, latency_count, window_count, in_flight, large_size, partners_count, idle_seconds, log):
    results = {}
    processes.discard(work)
    os.makedirs(work)

    log("issue 5: two agents on loopback")
    pair = AgentPair(agent_bin, keys, os.path.join(work, "pair"))
    samplers = {side: processes.Sampler(s.pid) for side, s in pair.servers.items()}
    try:
        log(f"issue 5: {latency_count} files one at a time")
        results["sequential"] = drop(swift_bench, pair.outbox, "--count", str(latency_count), "--mode", "sequential", "--prefix", "seq")
        log(f"issue 5: {window_count} files, {in_flight} pending at once")
        results["window"] = drop(swift_bench, pair.outbox, "--count", str(window_count), "--mode", "window",
                                 "--in-flight", str(in_flight), "--prefix", "win")
        cpu = {side: s.stop() for side, s in samplers.items()}
        results["agents_during_small_files"] = {
            side: {"cpu_seconds": c[-1][2] - c[0][2], "rss_kib_max": max(x[1] for x in c if x[1])} for side, c in cpu.items()}
        if large_size:
            log(f"issue 5: one {large_size >> 20} MiB file")
            results["large"] = drop(swift_bench, pair.outbox, "--count", "1", "--size", str(large_size), "--rename",
                                    "--prefix", "large", "--timeout", "600")
            results["large"]["peak_rss_kib"] = {side: peak_rss_kib(s.pid) for side, s in pair.servers.items()}
    finally:
        for s in samplers.values():
            if s._thread.is_alive():
                s.stop()
        pair.stop()
    processes.discard(os.path.join(work, "pair"))

    if partners_count:
        log(f"issue 5: start-up with {partners_count} partners, then {idle_seconds:g} s idle")
        many = os.path.join(work, "many")
        os.makedirs(many)
        port, admin = processes.free_port(), processes.free_port()
        conf = os.path.join(many, "agent.conf")
        agent_config(conf, as2_id="bench-many", role="receiver", keys=keys, work=many, port=port, admin_port=admin,
                     partners=[(f"p{i:05d}", f"partner-{i:05d}", 9, "sender") for i in range(partners_count)])
        starts = []
        for attempt in ("first start (creates the folders)", "restart (folders exist)"):
            server = processes.Server([agent_bin, "run", "--config", conf], os.path.join(many, "agent.log"), port=port)
            try:
                ready = wait_healthy(admin, server.proc, timeout=300)
                start = {"what": attempt, "listening_s": server.started_to_listening, "startup_s": server.started_to_listening + ready}
                if attempt.startswith("restart"):
                    time.sleep(IDLE_SETTLE_S)  # the start-up rescan of every outbox finishes first
                    pids = [server.pid] + children(server.pid)
                    cpu0 = {p: processes.cpu_seconds(p) for p in pids}
                    time.sleep(idle_seconds)
                    cpu1 = {p: processes.cpu_seconds(p) for p in pids}
                    idle = sum((cpu1[p] or 0) - (cpu0[p] or 0) for p in pids)
                    start.update({"idle_seconds": idle_seconds, "idle_after_healthy_s": IDLE_SETTLE_S, "idle_cpu_seconds": idle, "idle_cpu_percent": 100 * idle / idle_seconds,
                                  "processes": len(pids), "rss_kib": processes.rss_kib(server.pid)})
                starts.append(start)
            finally:
                server.stop()
        results["many_partners"] = {"partners": partners_count, "starts": starts}
        processes.discard(many)
    return results
