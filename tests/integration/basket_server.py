# SPDX-License-Identifier: Apache-2.0
"""Start and stop a private basketd for integration tests.

    with BasketServer(basketd_path, args=["--sample"]) as srv:
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(srv.port), ...])

The server gets a free loopback port and a fresh temporary data directory; it is stopped with
SIGTERM (then SIGKILL) by pid on exit -- only the process this helper started. Given
`data_dir`, the server uses that directory instead and leaves it in place, so a test can stop
(or kill()) a server and start another on the same data.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BasketServer:
    def __init__(self, binary, args=(), port=None, ready_timeout=120, env=None, data_dir=None):
        self.binary = binary
        self.args = list(args)
        self.port = port or free_port()
        self.ready_timeout = ready_timeout
        self.env = env
        self.proc = None
        self.owned_dir = data_dir is None
        self.data_dir = data_dir
        self.log_path = None

    def start(self, wait=True):
        if self.owned_dir:
            self.data_dir = tempfile.mkdtemp(prefix="basket-it-")
        else:
            os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(self.data_dir, "basketd.log")
        log = open(self.log_path, "wb")
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--data-dir",
             os.path.join(self.data_dir, "data")] + self.args,
            stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        if not wait:
            return self
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("basketd exited early:\n" + self.log())
            if "ready to accept connections" in self.log():
                return self
            time.sleep(0.05)
        raise RuntimeError("basketd did not become ready:\n" + self.log())

    def wait_exit(self, timeout=60):
        """For a server expected to refuse to start: its exit code."""
        return self.proc.wait(timeout=timeout)

    def kill(self):
        """SIGKILL, as a power cut would stop it (only the process this helper started)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc is not None else None
        if self.owned_dir and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None
        return rc

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
