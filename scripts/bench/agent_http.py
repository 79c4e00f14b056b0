"""Issue 4: an AS2 receiver over HTTP on loopback — our agent and a pyas2lib server, one load.

The same load generator (`as2-bench load`: prebuilt 1 KiB signed + encrypted messages under fresh
Message-IDs, ``concurrency`` requests in flight, every signed sync MDN verified) drives first
`as2-agent run` and then pyas2lib 1.4.4 behind the harness's `as2http.py serve`. Each server's
RSS and CPU are sampled every second.
"""

import json
import os
import subprocess
import sys

import processes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
AS2HTTP = os.path.join(ROOT, "Tests", "InteropTests", "peer", "as2http.py")


def agent_config(path, keys, work, port, admin_port):
    """agent.conf for a receiving agent: we are bench-receiver, the partner bench-sender."""
    text = f'''# as2-bench: receiving agent (issue 4 benchmark); generated
[agent]
as2_id = "bench-receiver"
spool_dir = "{work}/spool"
state_dir = "{work}/state"
certificate = "{keys}/receiver.cert.pem"
private_key = "{keys}/receiver.key.pem"
log_level = "warning"

[http]
listen = "127.0.0.1:{port}"
admin_listen = "127.0.0.1:{admin_port}"

[[partner]]
name = "sender"
as2_id = "bench-sender"
url = "http://127.0.0.1:9/as2"
certificate = "{keys}/sender.cert.pem"
content_type = "application/octet-stream"
'''
    with open(path, "w") as f:
        f.write(text)


def pyas2lib_config(keys, work):
    return json.dumps({
        "as2_name": "bench-receiver", "key": f"{keys}/receiver.key.pem", "cert": f"{keys}/receiver.cert.pem",
        "domain": "as2-bench", "inbox": f"{work}/inbox",
        "partners": [{"as2_name": "bench-sender", "partner_cert": f"{keys}/sender.cert.pem",
                      "sign_required": True, "encrypt_required": True}],
    })


def run_load(swift_bench, keys, work, url, seconds, concurrency):
    out = subprocess.run([swift_bench, "load", "--keys", keys, "--work", os.path.join(work, "client"), "--url", url,
                          "--seconds", str(seconds), "--concurrency", str(concurrency)],
                         check=True, capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"as2-bench load printed no result: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def measure_server(server, load):
    """Runs ``load()`` while sampling ``server``; returns the load result with the server's figures."""
    sampler = processes.Sampler(server.pid)
    try:
        result = load()
    finally:
        samples = sampler.stop()
        server.stop()
    cpu = [s[2] for s in samples if s[2] is not None]
    rss = [s[1] for s in samples if s[1] is not None]
    result["server"] = {
        "samples": samples,
        "cpu_seconds": cpu[-1] - cpu[0] if len(cpu) > 1 else None,
        "rss_kib_start": rss[0] if rss else None,
        "rss_kib_max": max(rss) if rss else None,
        "rss_kib_end": rss[-1] if rss else None,
    }
    if result["server"]["cpu_seconds"] is not None and result["delivered"]:
        result["server"]["cpu_ms_per_message"] = 1000 * result["server"]["cpu_seconds"] / result["delivered"]
    return result


def memory_growth(result, settle=0.25):
    """RSS at the end minus RSS once the run has settled (after ``settle`` of it), KiB."""
    samples = [s for s in result["server"]["samples"] if s[1] is not None]
    if len(samples) < 3:
        return None, None
    span = samples[-1][0]
    settled = next(s for s in samples if s[0] >= settle * span)
    return samples[-1][1] - settled[1], settled[1]


def run(swift_bench, agent_bin, python, keys, work, seconds, py_seconds, concurrency, log):
    """Both servers under the same load; returns {"ours": ..., "pyas2lib": ...}."""
    results = {}
    ours_work = os.path.join(work, "agent")
    processes.discard(ours_work)
    os.makedirs(ours_work)
    port, admin = processes.free_port(), processes.free_port()
    conf = os.path.join(ours_work, "agent.conf")
    agent_config(conf, keys, ours_work, port, admin)
    log(f"issue 4: our agent on 127.0.0.1:{port}, {seconds:g} s at {concurrency} in flight")
    server = processes.Server([agent_bin, "run", "--config", conf], os.path.join(ours_work, "agent.log"), port=port)
    results["ours"] = measure_server(server, lambda: run_load(swift_bench, keys, ours_work, f"http://127.0.0.1:{port}/as2", seconds, concurrency))
    for d in ("spool", "state", "client"):  # tens of thousands of delivered files; the log stays
        processes.discard(os.path.join(ours_work, d))

    py_work = os.path.join(work, "pyas2lib-server")
    processes.discard(py_work)
    os.makedirs(py_work)
    log(f"issue 4: pyas2lib server (as2http.py serve), {py_seconds:g} s at {concurrency} in flight")
    server = processes.Server([python, AS2HTTP, "serve", "--port", "0", "--config", pyas2lib_config(keys, py_work)],
                              os.path.join(py_work, "serve.log"), ready_line=True)
    results["pyas2lib"] = measure_server(server, lambda: run_load(swift_bench, keys, py_work, f"http://127.0.0.1:{server.port}/as2", py_seconds, concurrency))
    for d in ("inbox", "client"):
        processes.discard(os.path.join(py_work, d))
    for side in ("ours", "pyas2lib"):
        growth, settled = memory_growth(results[side])
        results[side]["server"]["rss_growth_kib"] = growth
        results[side]["server"]["rss_kib_settled"] = settled
    return results


if __name__ == "__main__":
    sys.exit("use scripts/bench/bench.py --e2e")
