#!/usr/bin/env python3
"""`make bench`, part 1: the AS2 message core against pyas2lib 1.4.4 and the crypto floor.

Runs, in this order and in one go: the crypto floor (`openssl speed`), 1 KiB messages/s for
as2-bench and pyas2lib (1 and 2 tasks / processes), then one fresh process per large-payload
scenario (build and unpack at each size, ours and pyas2lib's). Prints one table in which every
figure stands beside pyas2lib's and the floor measured in this run, and saves everything to
bench-results.json. Timings are reported, never asserted: the machine is shared.

Settings under test: signed (SHA-256, RSA-2048 PKCS #1 v1.5), encrypted (AES-256-CBC, RSA key
transport), a signed SHA-256 synchronous MDN requested; "unpack" includes building that MDN.
"""

import argparse
import datetime
import filecmp
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import agent_folders  # noqa: E402
import agent_http  # noqa: E402
import floor  # noqa: E402
import processes  # noqa: E402
import table  # noqa: E402

MIB = 1 << 20
RSS_TARGET_MIB = 64
P99_TARGET_MS = 20.0
FOLDER_TARGETS = {"p50": 10.0, "p99": 50.0, "files_per_s": 300.0, "startup_s": 2.0, "idle_cpu_percent": 1.0}
STREAM_TARGETS = {"build": 300.0, "unpack": 200.0}  # MB/s at 200 MiB


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_json(cmd):
    """Runs one scenario process; returns the JSON object it printed last."""
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"no result from {' '.join(cmd)}: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def write_random(path, size):
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 4 * MIB)
            f.write(os.urandom(n))
            left -= n


def parse_size(text):
    text = text.strip().upper()
    for suffix, factor in (("G", 1 << 30), ("M", MIB), ("K", 1024)):
        if text.endswith(suffix):
            return int(float(text[:-1]) * factor)
    return int(text)


def size_label(size):
    return f"{size // MIB} MiB" if size >= MIB else f"{size // 1024} KiB" if size >= 1024 else f"{size} B"


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.work)
        self.keys = os.path.join(self.work, "keys")
        self.swift = [os.path.abspath(args.swift_bench)]
        self.python = [args.python, os.path.join(HERE, "pyas2lib_bench.py")]
        self.results = {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": "make bench  (scripts/bench.sh → scripts/bench/bench.py " + " ".join(sys.argv[1:]) + ")",
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "loadavg_start": os.getloadavg()},
        }

    # -- steps ------------------------------------------------------------------------------------

    def setup(self):
        os.makedirs(self.work, exist_ok=True)
        trash = os.path.join(self.work, ".trash")
        shutil.rmtree(trash, ignore_errors=True)  # a previous run's, before the minute of openssl speed
        processes.set_trash(trash)
        log("keys (RSA-2048, self-signed)")
        subprocess.run(self.swift + ["keys", "--directory", self.keys], check=True)

    def measure_floor(self):
        log("crypto floor: openssl speed (about a minute)")
        self.results["floor"] = floor.measure()
        self.results["floor"]["available_share_2proc"] = floor.available_share(self.results["floor"])

    def measure_durable(self):
        """The disk floor: write + fsync + rename + directory fsync per second, where spools live."""
        durable = {}
        for tasks in (1, 4):
            log(f"disk floor: durable 1 KiB writes, {tasks} writer(s)")
            folder = os.path.join(self.work, f"durable-{tasks}")
            durable[tasks] = run_json(self.swift + ["durable", "--directory", folder, "--keep",
                                                    "--seconds", "3", "--tasks", str(tasks)])
            processes.discard(folder)
        self.results["floor"]["durable_writes_per_s"] = {t: d["per_second"] for t, d in durable.items()}

    def measure_http(self):
        a = self.args
        self.results["http"] = agent_http.run(
            self.swift[0], os.path.abspath(a.agent), a.python, self.keys, os.path.join(self.work, "http"),
            a.http_seconds, a.http_py_seconds, a.http_concurrency, log)

    def measure_folders(self):
        a = self.args
        self.results["folders"] = agent_folders.run(
            self.swift[0], os.path.abspath(a.agent), self.keys, os.path.join(self.work, "folders"),
            latency_count=a.folders_latency_count, window_count=a.folders_count, in_flight=a.folders_in_flight,
            large_size=a.large_size, partners_count=a.partners, idle_seconds=a.idle_seconds, log=log)

    def measure_messages(self):
        a = self.args
        msgs = {"ours": {}, "pyas2lib": {}}
        for tasks in (1, 2):
            log(f"1 KiB messages/s, ours, {tasks} task(s)")
            msgs["ours"][tasks] = run_json(self.swift + [
                "messages", "--keys", self.keys, "--work", os.path.join(self.work, "work"),
                "--size", str(a.message_size), "--seconds", str(a.seconds), "--tasks", str(tasks)])
            log(f"1 KiB messages/s, pyas2lib, {tasks} process(es)")
            msgs["pyas2lib"][tasks] = run_json(self.python + [
                "messages", "--keys", self.keys, "--size", str(a.message_size), "--seconds", str(a.seconds), "--procs", str(tasks)])
        self.results["messages"] = msgs

    def measure_files(self):
        a = self.args
        files = {"ours": {}, "pyas2lib": {}}
        for size in a.sizes:
            label = size_label(size)
            payload = os.path.join(self.work, f"payload-{label.replace(' ', '')}")
            log(f"{label}: payload file")
            write_random(payload, size)
            for side in ("ours", "pyas2lib"):
                repeat = a.repeat if side == "ours" or size <= a.py_repeat_limit else 1
                runs = {"build": [], "unpack": []}
                for i in range(repeat):
                    body = f"{payload}.{side}.body"
                    out = f"{payload}.{side}.out"
                    log(f"{label}: {side} build ({i + 1}/{repeat})")
                    runs["build"].append(self.build(side, payload, body))
                    log(f"{label}: {side} unpack ({i + 1}/{repeat})")
                    runs["unpack"].append(self.unpack(side, body, out))
                    if not filecmp.cmp(payload, out, shallow=False):
                        raise RuntimeError(f"{side}: the unpacked {label} payload differs from the one sent")
                    for path in (body, body + ".headers", out, out + ".mdn"):
                        os.remove(path)
                files["ours" if side == "ours" else "pyas2lib"][size] = runs
            os.remove(payload)
        self.results["files"] = files

    def build(self, side, payload, body):
        if side == "ours":
            return run_json(self.swift + ["build", "--keys", self.keys, "--payload", payload, "--out", body,
                                          "--work", os.path.join(self.work, "work")])
        return run_json(self.python + ["build", "--keys", self.keys, "--payload", payload, "--out", body])

    def unpack(self, side, body, out):
        if side == "ours":
            return run_json(self.swift + ["unpack", "--keys", self.keys, "--body", body, "--out", out,
                                          "--work", os.path.join(self.work, "work")])
        return run_json(self.python + ["parse", "--keys", self.keys, "--body", body, "--out", out])

    # -- report -----------------------------------------------------------------------------------

    def rows(self):
        """Table rows as dicts (also saved to the JSON)."""
        f, rows = self.results["floor"], []
        msgs = self.results.get("messages")
        if msgs:
            ours1 = msgs["ours"][1]
            for op in ("build", "unpack"):
                what = "build" if op == "build" else "unpack + signed MDN"
                py1 = msgs["pyas2lib"][1][f"{op}_per_second"]
                for tasks in (1, 2):
                    ours = msgs["ours"][tasks][f"{op}_per_second"]
                    py = msgs["pyas2lib"][tasks][f"{op}_per_second"]
                    fl = floor.message_floor(f, ours1["payload_bytes"], ours1["message_bytes"], ours1["mdn_bytes"], tasks)
                    fl = fl[0] if op == "build" else fl[1]
                    target = met = None
                    basis = None
                    if tasks == 2:
                        ten, near = 10 * py1, fl / 1.5
                        target = min(ten, near)
                        basis = "10× pyas2lib (1 process)" if ten <= near else "floor ÷ 1.5"
                        met = ours >= target
                    rows.append({
                        "metric": f"{what}, {size_label(ours1['payload_bytes'])} msg/s, {tasks} {'task' if tasks == 1 else 'tasks'}",
                        "unit": "msg/s", "ours": ours, "pyas2lib": py, "floor": fl, "target": target,
                        "target_basis": basis, "target_kind": "min", "met": met,
                        "ours_cpu_ms": 1000 * msgs["ours"][tasks][op]["cpu_seconds"] / msgs["ours"][tasks][op]["operations"],
                        "pyas2lib_cpu_ms": 1000 * msgs["pyas2lib"][tasks][op]["cpu_seconds"] / msgs["pyas2lib"][tasks][op]["operations"],
                        "floor_cpu_ms": 1000 * tasks / fl,
                        "pyas2lib_note": f"{tasks} process{'es' if tasks > 1 else ''}",
                    })
            parse_only = msgs["pyas2lib"][1].get("parse_only_per_second")
            if parse_only:
                rows.append({
                    "metric": "unpack 1 KiB msg/s, 1 task, vs pyas2lib parse() alone", "unit": "msg/s",
                    "ours": msgs["ours"][1]["unpack_per_second"], "pyas2lib": parse_only, "floor": None, "target": None,
                    "target_kind": "min", "met": None,
                    "note": "pyas2lib's Message.parse builds and signs the MDN but leaves payload and MDN unserialized",
                })
        files = self.results.get("files")
        if files:
            stream = dict(zip(("build", "unpack"), floor.stream_floor(f)))
            for op in ("build", "unpack"):
                for size in sorted(files["ours"]):
                    ours = self.median_rate(files["ours"][size][op])
                    py = self.median_rate(files["pyas2lib"][size][op])
                    big = size == max(files["ours"])
                    target = STREAM_TARGETS[op] if size >= 200 * MIB or (big and self.args.targets_at_largest) else None
                    what = "build" if op == "build" else "unpack + deliver + signed MDN"
                    rows.append({
                        "metric": f"{what}, {size_label(size)} MB/s", "unit": "MB/s", "ours": ours, "pyas2lib": py,
                        "floor": stream[op], "target": target, "target_kind": "min",
                        "met": None if target is None else ours >= target,
                        "ours_cpu_ms": 1000 * statistics.median(r["cpu_seconds"] for r in files["ours"][size][op]),
                        "pyas2lib_cpu_ms": 1000 * statistics.median(r["cpu_seconds"] for r in files["pyas2lib"][size][op]),
                        "floor_cpu_ms": 1000 * size / 1e6 / stream[op],
                        "payload_mb": size / 1e6,
                        "runs": {"ours": len(files["ours"][size][op]), "pyas2lib": len(files["pyas2lib"][size][op])},
                    })
            for op in ("build", "unpack"):
                for size in sorted(files["ours"]):
                    ours = max(r["max_rss_kib"] for r in files["ours"][size][op]) / 1024
                    py = max(r["max_rss_kib"] for r in files["pyas2lib"][size][op]) / 1024
                    rows.append({
                        "metric": f"{op} peak RSS, {size_label(size)}", "unit": "MiB", "ours": ours, "pyas2lib": py,
                        "floor": None, "target": RSS_TARGET_MIB, "target_kind": "max", "met": ours < RSS_TARGET_MIB,
                        "pyas2lib_note": f"{py * MIB / size:.1f}× payload",
                    })
        return rows

    def http_rows(self, f):
        """Issue 4 rows: our agent and pyas2lib's server under the same load."""
        h = self.results.get("http")
        if not h:
            return []
        ours, py = h["ours"], h["pyas2lib"]
        c = self.args.http_concurrency
        msgs = self.results.get("messages", {}).get("ours", {}).get(1)
        size = (msgs or {}).get("message_bytes", 4000)
        crypto = floor.message_floor(f, 1024, size, (msgs or {}).get("mdn_bytes", 3200), 2)[1]
        durable = f.get("durable_writes_per_s", {}).get(4)
        fl = min(crypto, durable) if durable else crypto
        target = min(10 * py["messages_per_second"], fl / 2)
        basis = "10× pyas2lib" if 10 * py["messages_per_second"] <= fl / 2 else "floor ÷ 2"
        rows = [{
            "metric": f"agent over HTTP, 1 KiB msg/s, {c} in flight", "unit": "msg/s",
            "ours": ours["messages_per_second"], "pyas2lib": py["messages_per_second"], "floor": fl,
            "floor_parts": {"crypto_2_cores": crypto, "durable_writes_4": durable},
            "target": target, "target_basis": basis, "target_kind": "min", "met": ours["messages_per_second"] >= target,
            "ours_cpu_ms": ours["server"].get("cpu_ms_per_message"), "pyas2lib_cpu_ms": py["server"].get("cpu_ms_per_message"),
            "floor_cpu_ms": 2000 / crypto,
        }]
        for p, target in (("p50", None), ("p99", P99_TARGET_MS)):
            rows.append({
                "metric": f"agent over HTTP, latency {p}", "unit": "ms", "ours": ours["latency_ms"][p], "pyas2lib": py["latency_ms"][p],
                "floor": None, "target": target, "target_kind": "max",
                "met": None if target is None else ours["latency_ms"][p] < target,
            })
        growth = ours["server"]["rss_growth_kib"]
        settled = ours["server"]["rss_kib_settled"]
        flat = None if growth is None else growth <= max(4096, 0.1 * settled)
        rows.append({
            "metric": f"agent RSS growth over {self.args.http_seconds:g} s", "unit": "MiB",
            "ours": None if growth is None else growth / 1024,
            "pyas2lib": None if py["server"]["rss_growth_kib"] is None else py["server"]["rss_growth_kib"] / 1024,
            "floor": None, "target": "flat (≤ 4 MiB or 10 %)", "target_kind": "text", "met": flat,
        })
        rows.append({
            "metric": "agent peak RSS under load", "unit": "MiB", "ours": ours["server"]["rss_kib_max"] / 1024,
            "pyas2lib": py["server"]["rss_kib_max"] / 1024, "floor": None, "target": None, "target_kind": "max", "met": None,
        })
        return rows

    def folder_rows(self, f):
        """Issue 5 rows: two agents through their folders (no pyas2lib counterpart)."""
        r = self.results.get("folders")
        if not r:
            return []
        rows = []
        msgs = self.results.get("messages", {}).get("ours", {}).get(1) or {}
        size, mdn = msgs.get("message_bytes", 4000), msgs.get("mdn_bytes", 3200)
        build, unpack = floor.message_floor(f, 1024, size, mdn, 1)
        per_file = 1 / build + 1 / unpack + 1 / f["rsa2048_verify_per_s"]  # + the sender's MDN check
        crypto = 2 / per_file
        durable = f.get("durable_writes_per_s", {}).get(4)
        seq, win = r.get("sequential"), r.get("window")
        # One file at a time: the crypto of both agents on one core, and two durable writes in a row
        # (the receiver stores the document before its receipt; the sender records the outcome).
        durable1 = f.get("durable_writes_per_s", {}).get(1)
        latency_floor = 1000 * (per_file + (2 / durable1 if durable1 else 0))
        if seq:
            for p in ("p50", "p99"):
                rows.append({"metric": f"folders: drop → receipt {p}, one file at a time", "unit": "ms", "ours": seq["latency_ms"][p],
                             "pyas2lib": None, "floor": latency_floor, "target": FOLDER_TARGETS[p], "target_kind": "max",
                             "met": seq["latency_ms"][p] is not None and seq["latency_ms"][p] < FOLDER_TARGETS[p]})
        if win:
            fl = min(crypto, durable) if durable else crypto
            rows.append({"metric": f"folders: files/s, {win['in_flight']} pending", "unit": "files/s", "ours": win["files_per_second"],
                         "pyas2lib": None, "floor": fl, "floor_parts": {"crypto_2_cores": crypto, "durable_writes_4": durable},
                         "target": FOLDER_TARGETS["files_per_s"], "target_kind": "min", "met": win["files_per_second"] >= FOLDER_TARGETS["files_per_s"]})
            for p in ("p50", "p99"):
                rows.append({"metric": f"folders: drop → receipt {p}, {win['in_flight']} pending", "unit": "ms", "ours": win["latency_ms"][p],
                             "pyas2lib": None, "floor": None, "target": None, "target_kind": "max", "met": None})
        lost = sum(x.get("missing", 0) + x.get("failed", 0) for x in (seq, win, r.get("large")) if x)
        if seq or win:
            rows.append({"metric": "folders: files without a receipt", "unit": "files", "ours": lost, "pyas2lib": None, "floor": None,
                         "target": 0, "target_kind": "max_inclusive", "met": lost == 0})
        large = r.get("large")
        if large:
            label = size_label(large["size"])
            seconds = large["latency_ms"]["max"] / 1000 if large["latency_ms"]["max"] is not None else None
            stream = floor.stream_floor(f)
            rows.append({"metric": f"folders: one {label} file, drop → receipt" + ("" if large["sent"] else " (FAILED)"), "unit": "s",
                         "ours": seconds, "pyas2lib": None,
                         "floor": large["size"] / 1e6 / stream[0] + large["size"] / 1e6 / stream[1], "target": None, "target_kind": "max", "met": None})
            for side, who in (("a", "sender"), ("b", "receiver")):
                rss = (large.get("peak_rss_kib") or {}).get(side)
                rows.append({"metric": f"folders: one {label} file, {who} agent peak RSS", "unit": "MiB", "ours": rss / 1024 if rss else None,
                             "pyas2lib": None, "floor": None, "target": RSS_TARGET_MIB, "target_kind": "max", "met": rss is not None and rss / 1024 < RSS_TARGET_MIB})
        many = r.get("many_partners")
        if many:
            for start in many["starts"]:
                rows.append({"metric": f"{many['partners']:,} partners: {start['what']}, until watching", "unit": "s", "ours": start["startup_s"],
                             "pyas2lib": None, "floor": None, "target": FOLDER_TARGETS["startup_s"], "target_kind": "max",
                             "met": start["startup_s"] < FOLDER_TARGETS["startup_s"]})
                if "idle_cpu_percent" in start:
                    rows.append({"metric": f"{many['partners']:,} partners: idle CPU over {start['idle_seconds']:g} s (from {start.get('idle_after_healthy_s', 0):g} s after ready)", "unit": "%",
                                 "ours": start["idle_cpu_percent"], "pyas2lib": None, "floor": None, "target": FOLDER_TARGETS["idle_cpu_percent"],
                                 "target_kind": "max", "met": start["idle_cpu_percent"] < FOLDER_TARGETS["idle_cpu_percent"]})
        return rows

    @staticmethod
    def median_rate(runs):
        return statistics.median(r["payload_bytes"] / r["seconds"] / 1e6 for r in runs)

    def report(self):
        self.results["machine"]["loadavg_end"] = os.getloadavg()
        rows = self.rows() + self.http_rows(self.results["floor"]) + self.folder_rows(self.results["floor"])
        self.results["rows"] = rows
        header = ["metric", "ours", "pyas2lib", "ours/py", "floor", "ours/floor", "target", "met?"]
        lines = []
        for r in rows:
            unit = " " + r["unit"]
            ratio = r["ours"] / r["pyas2lib"] if r["pyas2lib"] and r["ours"] is not None else None
            to_floor = r["ours"] / r["floor"] if r["floor"] else None
            if r["target"] is None:
                target = "—"
            elif r["target_kind"] == "text":
                target = r["target"]
            elif r["target_kind"] == "max":
                target = f"< {table.fmt(r['target'])}{unit}"
            elif r["target_kind"] == "max_inclusive":
                target = f"{table.fmt(r['target'])}{unit}"
            else:
                target = f"≥ {table.fmt(r['target'])}{unit}" + (f" ({r['target_basis']})" if r.get("target_basis") else "")
            met = "—" if r["met"] is None else ("met" if r["met"] else "NOT MET")
            r["ours_over_pyas2lib"], r["ours_over_floor"] = ratio, to_floor
            lines.append([r["metric"], table.fmt(r["ours"]), table.fmt(r["pyas2lib"]), table.fmt(ratio, "×"),
                          table.fmt(r["floor"]), table.fmt(to_floor), target, met])
        text = table.render(header, lines, left_tail=2)
        cpu_lines = []
        for r in rows:
            if r.get("ours_cpu_ms") is None:
                continue
            per_cpu_s = 1000 / r["ours_cpu_ms"] if r["unit"] == "msg/s" else r["payload_mb"] / (r["ours_cpu_ms"] / 1000)
            r["ours_per_cpu_second"] = per_cpu_s
            cpu_lines.append([r["metric"], table.fmt(r["ours_cpu_ms"]), table.fmt(r["pyas2lib_cpu_ms"]), table.fmt(r["floor_cpu_ms"]),
                              table.fmt(r["ours_cpu_ms"] / r["floor_cpu_ms"], "×"), table.fmt(per_cpu_s, " " + r["unit"].split("/")[0])])
        cpu_text = table.render(["CPU time per operation (ms, all threads)", "ours", "pyas2lib", "floor", "ours/floor",
                                 "ours per CPU-second"], cpu_lines) if cpu_lines else ""
        m = self.results["machine"]
        f = self.results["floor"]
        print()
        print(f"as2-agent benchmark — {self.results['date']} — {m['cpus']} CPUs, load average "
              f"{m['loadavg_start'][0]:.1f} at start, {m['loadavg_end'][0]:.1f} at end")
        print(f"SHA-256 signature, AES-256-CBC, RSA-2048, signed SHA-256 MDN requested; pyas2lib {self.pyas2lib_version()}")
        print(f"floor (openssl speed, this run): RSA-2048 {f['rsa2048_sign_per_s']:,.0f} sign/s, {f['rsa2048_verify_per_s']:,.0f} verify/s "
              "per core; "
              f"SHA-256 {max(f['sha256_bytes_per_s'].values()) / 1e6:,.0f} MB/s; AES-256-CBC "
              f"{max(f['aes256cbc_encrypt_bytes_per_s'].values()) / 1e6:,.0f} MB/s encrypt, "
              f"{max(f['aes256cbc_decrypt_bytes_per_s'].values()) / 1e6:,.0f} MB/s decrypt")
        print(f"CPU available to a 2-process job during the floor run: {100 * floor.available_share(f):.0f}% of 2 idle cores "
              f"(openssl speed -multi 2, wall time); the floor column assumes idle cores")
        print()
        print(text)
        if cpu_text:
            print()
            print(cpu_text)
        print()
        with open(self.args.json, "w") as out:
            json.dump(self.results, out, indent=1, sort_keys=True, default=str)
        print(f"saved {self.args.json}")

    def pyas2lib_version(self):
        msgs = self.results.get("messages")
        return msgs["pyas2lib"][1].get("pyas2lib", "?") if msgs else "1.4.4"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--swift-bench", default=".build/release/as2-bench", help="the as2-bench executable")
    p.add_argument("--python", default=sys.executable, help="Python with pyas2lib 1.4.4 (.venv/bin/python)")
    p.add_argument("--work", default=".build/bench", help="work folder on the disk under test (keys, payloads, outputs)")
    p.add_argument("--json", default="bench-results.json", help="where to save the results")
    p.add_argument("--seconds", type=float, default=3.0, help="duration of each messages/s measurement")
    p.add_argument("--message-size", type=parse_size, default=1024, help="payload of the messages/s runs")
    p.add_argument("--sizes", default="10M,200M", help="large payload sizes, comma-separated (K/M/G suffixes)")
    p.add_argument("--repeat", type=int, default=3, help="runs per large scenario (the median is reported)")
    p.add_argument("--py-repeat-limit", type=parse_size, default=16 * MIB,
                   help="pyas2lib runs large scenarios above this size once (they take tens of seconds and GBs)")
    p.add_argument("--targets-at-largest", action="store_true", help="apply the 200 MiB targets to the largest size given")
    p.add_argument("--skip-messages", action="store_true")
    p.add_argument("--skip-files", action="store_true")
    p.add_argument("--skip-http", action="store_true", help="skip issue 4 (our agent and a pyas2lib server over HTTP)")
    p.add_argument("--agent", default=".build/release/as2-agent", help="the as2-agent executable (--http)")
    p.add_argument("--http-seconds", type=float, default=60.0, help="duration of the load on our agent")
    p.add_argument("--http-py-seconds", type=float, default=30.0, help="duration of the load on the pyas2lib server")
    p.add_argument("--http-concurrency", type=int, default=4, help="requests in flight (client threads)")
    p.add_argument("--skip-folders", action="store_true", help="skip issue 5 (two agents through their folders, many partners, a large file)")
    p.add_argument("--folders-latency-count", type=int, default=200, help="files dropped one at a time (latency)")
    p.add_argument("--folders-count", type=int, default=2000, help="files dropped with --folders-in-flight pending (files/s)")
    p.add_argument("--folders-in-flight", type=int, default=64, help="files pending at once in the files/s run")
    p.add_argument("--large-size", type=parse_size, default=1 << 30, help="the one large file (0: skip)")
    p.add_argument("--partners", type=int, default=10000, help="partners configured for the start-up and idle run (0: skip)")
    p.add_argument("--idle-seconds", type=float, default=10.0, help="idle CPU measurement after start-up")
    args = p.parse_args()
    args.sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    args.http, args.folders = not args.skip_http, not args.skip_folders

    bench = Bench(args)
    bench.setup()
    bench.measure_floor()
    if args.http or args.folders:
        bench.measure_durable()
    if not args.skip_messages:
        bench.measure_messages()
    if not args.skip_files:
        bench.measure_files()
    if args.http:
        bench.measure_http()
    if args.folders:
        bench.measure_folders()
    bench.report()
    processes.empty_trash()


if __name__ == "__main__":
    main()
