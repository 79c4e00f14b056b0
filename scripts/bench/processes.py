"""Servers under test for the end-to-end benchmarks: start, wait until ready, sample, stop.

A sampler thread reads /proc/<pid>/status (VmRSS) and /proc/<pid>/stat (user + system CPU) once
per interval, so each run reports the server's memory over time and its CPU per message.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

_TICK = os.sysconf("SC_CLK_TCK")

# Trees a scenario is done with are moved here and deleted at the end of the run. On ext4 without
# a journal (this VM's disk), creating a file scans the inodes deleted in the last ~30 s
# (`recently_deleted`), so deleting tens of thousands of files right before the next scenario
# would make that scenario pay for the previous one's clean-up.
_trash = None


def set_trash(path):
    global _trash
    _trash = path
    os.makedirs(path, exist_ok=True)


def discard(path):
    """Moves `path` out of the way (a rename: no inode is freed) until `empty_trash`."""
    if not os.path.lexists(path):
        return
    if _trash is None:
        shutil.rmtree(path, ignore_errors=True)
        return
    os.makedirs(_trash, exist_ok=True)
    os.rename(path, os.path.join(_trash, f"{len(os.listdir(_trash))}-{os.path.basename(path)}"))


def empty_trash():
    if _trash is not None:
        shutil.rmtree(_trash, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None


class Sampler:
    """RSS and CPU of one process every ``interval`` seconds, in a daemon thread."""

    def __init__(self, pid, interval=1.0):
        self.pid, self.interval = pid, interval
        self.samples = []  # (seconds since start, rss KiB, cpu seconds)
        self._stop = threading.Event()
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self):
        self.samples.append((time.perf_counter() - self._t0, rss_kib(self.pid), cpu_seconds(self.pid)))

    def stop(self):
        self._stop.set()
        self._thread.join()
        self.sample()
        return self.samples


class Server:
    """A server process with its output in a log file; ``stop`` sends SIGTERM and waits."""

    def __init__(self, cmd, log_path, port=None, ready_line=False, env=None):
        t0 = time.perf_counter()
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE if ready_line else self.log,
                                     stderr=self.log, env=env)
        if ready_line:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{cmd[0]} exited before it was ready; see {log_path}")
            self.port = json.loads(line)["port"]
            threading.Thread(target=self._drain, daemon=True).start()
        else:
            self.port = port
            wait_for_port(port, self.proc)
        self.started_to_listening = time.perf_counter() - t0

    def _drain(self):
        for line in self.proc.stdout:
            self.log.write(line)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, timeout=5):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdin:
            self.proc.stdin.close()
        self.log.close()
        return self.proc.returncode
