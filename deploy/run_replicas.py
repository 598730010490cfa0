"""Start N Streamlit processes of the app and nginx in front of them, on loopback, with sticky sessions.

    python deploy/run_replicas.py                  # 2 processes, nginx on a free port; Ctrl-C stops all
    python deploy/run_replicas.py -n 3 --port 8080 --option runner.postScriptGC=false
    python deploy/run_replicas.py --redis          # and a local redis-server that class mode shares; the
                                                   # processes serve deploy/asgi.py (class mode's feed)

Each process is `streamlit run app.py --server.port P --server.headless true` on 127.0.0.1 with one BLAS
thread and the app's .streamlit/config.toml (`--option KEY=VALUE` overrides a setting for all); nginx gets a config
made from deploy/nginx.conf.template in a temporary folder (pid, logs and temp
files there: no root needed) and runs in the foreground. The script waits until every process and the
front answer /_stcore/health, prints the front URL, and stops everything on Ctrl-C or SIGTERM (or when
any of them exits). `Replicas` does the same for a benchmark or a test:

    with Replicas(2) as front:
        front.url, front.replica_urls, front.pids
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEMPLATE = HERE / "nginx.conf.template"
MAX_REPLICAS = 16
REDIS_URL_ENV = "BACKPROP_REDIS_URL"  # class mode's store (backprop/ui/class_view.py reads it)
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy


def nginx_binary() -> str | None:
    """nginx on PATH or at Debian's /usr/sbin/nginx (not on a normal user's PATH), else None."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with _OPENER.open(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


def nginx_config(prefix: Path, listen: str, ports: list[int]) -> str:
    """The template filled in for `ports` on loopback. As root, workers run as `nobody` (they then need
    to reach the prefix folder: it is made world-readable, its files are written by the master)."""
    user = ""
    if os.geteuid() == 0:
        group = "nogroup" if _group_exists("nogroup") else "nobody"
        user = f"user nobody {group};"
    upstreams = "\n        ".join(f"server 127.0.0.1:{p} max_fails=0;" for p in ports)
    values = {"@PREFIX@": str(prefix), "@LISTEN@": listen, "@UPSTREAMS@": upstreams, "@USER@": user}
    lines = []
    for line in TEMPLATE.read_text().splitlines():
        if not line.lstrip().startswith("#"):  # the comments name the placeholders: leave them be
            for name, value in values.items():
                line = line.replace(name, value)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def option_args(options: dict[str, str]) -> list[str]:
    """Streamlit config options as command-line flags: {"runner.postScriptGC": "false"} → --runner.postScriptGC
    false. They override .streamlit/config.toml."""
    return [arg for key, value in options.items() for arg in (f"--{key}", value)]


def parse_options(pairs: list[str] | None) -> dict[str, str]:
    """KEY=VALUE strings (from a command line) as a dict; ValueError names a malformed one."""
    options = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key or " " in key:
            raise ValueError(f"a Streamlit option is KEY=VALUE (e.g. runner.postScriptGC=false), not {pair!r}")
        options[key.removeprefix("--")] = value
    return options


def redis_binary() -> str | None:
    """Debian's redis-server (apt-get install redis-server), else None."""
    return shutil.which("redis-server") or next((p for p in ("/usr/bin/redis-server",) if os.access(p, os.X_OK)), None)


class RedisServer:
    """A redis-server on 127.0.0.1 for class mode's shared state, its data in a temporary folder.

    The append-only file is synced to disk once a second by a background thread (appendfsync everysec,
    Redis's default with AOF) and at a shutdown, so stop() followed by start() brings the same classes back,
    as a restarted managed Redis with persistence would; remove() deletes the folder. Not on every change
    (`always`): every move's publish carries the instructor's rendered view (up to about 240 kB), and an fsync
    of each would stall Redis's one thread. No password: it listens on loopback only (protected mode on)."""

    def __init__(self, port: int = 0, timeout: float = 20.0, binary: str | None = None):
        self.binary = binary or redis_binary()
        if self.binary is None:
            raise FileNotFoundError("redis-server not found (Debian: apt-get install redis-server)")
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = Path(tempfile.mkdtemp(prefix="backprop-redis-"))
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        with open(self.dir / "redis.log", "ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--protected-mode",
                    "yes",
                    "--dir",
                    str(self.dir),
                    "--save",
                    "",
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "everysec",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + self.timeout
        while not self.ping():
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited ({self.process.returncode}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server not answering after {self.timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.05)

    def ping(self) -> bool:
        """Whether the server answers PING (and has loaded its data: a loading server answers -LOADING)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def log_tail(self, n: int = 15) -> str:
        log = self.dir / "redis.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-n:]) if log.exists() else "(no log)"

    def stop(self) -> None:
        """Stop the server (SIGTERM: it finishes writing and exits); its data stays for start()."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class Replicas:
    """N `streamlit run app.py` processes and nginx in front, all on loopback; stop() ends them all.

    With proxy=False there is one process and no nginx: `url` is the process's own (a benchmark's "one
    process" case, started the same way). `options` are Streamlit config options for every process."""

    def __init__(
        self,
        n: int = 2,
        port: int = 0,
        app: str = "app.py",
        cwd: Path = REPO,
        timeout: float = 90.0,
        nginx: str | None = None,
        proxy: bool = True,
        options: dict[str, str] | None = None,
        redis: bool = False,
    ):
        if not 1 <= n <= MAX_REPLICAS:
            raise ValueError(f"replicas must be 1..{MAX_REPLICAS}, not {n}")
        if not proxy and n != 1:
            raise ValueError(f"without the proxy there is one process, not {n}")
        self.nginx = (nginx or nginx_binary()) if proxy else None
        if proxy and self.nginx is None:
            raise FileNotFoundError("nginx not found (Debian: apt-get install nginx)")
        self.options = dict(options or {})
        self.prefix = Path(tempfile.mkdtemp(prefix="backprop-replicas-"))
        self.ports = [free_port() for _ in range(n)]
        self.replica_urls = [f"http://127.0.0.1:{p}" for p in self.ports]
        self.port = (port or free_port()) if proxy else self.ports[0]
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.nginx_process: subprocess.Popen | None = None
        self.redis: RedisServer | None = None
        try:
            if redis:  # class mode's shared state, for every replica: BACKPROP_REDIS_URL
                self.redis = RedisServer()
            self._start(app, cwd, timeout)
        except BaseException:
            self.stop()
            raise

    @property
    def pids(self) -> list[int]:
        """The Streamlit processes' ids (not nginx's)."""
        return [p.pid for p in self.processes]

    def _start(self, app: str, cwd: Path, timeout: float) -> None:
        self._app, self._cwd = app, cwd
        for i in range(len(self.ports)):
            self.processes.append(self._launch(i))
        self._wait(self.replica_urls, timeout, "streamlit")
        if self.nginx is None:
            return
        (self.prefix / "tmp").mkdir()
        if os.geteuid() == 0:  # workers run as nobody: they must reach the temp folders the master makes
            self.prefix.chmod(0o755)
            (self.prefix / "tmp").chmod(0o755)
        conf = self.prefix / "nginx.conf"
        conf.write_text(nginx_config(self.prefix, f"127.0.0.1:{self.port}", self.ports))
        check = subprocess.run(
            [self.nginx, "-t", "-q", "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejects the config:\n{check.stderr}")
        with open(self.prefix / "nginx.out", "wb") as nginx_log:  # the child keeps its own copy
            self.nginx_process = subprocess.Popen(
                [
                    self.nginx,
                    "-p",
                    str(self.prefix),
                    "-c",
                    str(conf),
                    "-e",
                    str(self.prefix / "error.log"),
                    "-g",
                    "daemon off;",
                ],
                stdout=nginx_log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._wait([self.url], timeout, "nginx")

    def _launch(self, i: int) -> subprocess.Popen:
        """`streamlit run` for replica i on its port (its log appended to streamlit-<i+1>.log)."""
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
        if self.redis is not None:
            env[REDIS_URL_ENV] = self.redis.url  # class mode's shared state, for every replica
        with open(self.prefix / f"streamlit-{i + 1}.log", "ab") as log:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    self._app,
                    "--server.port",
                    str(self.ports[i]),
                    "--server.address",
                    "127.0.0.1",
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                    *option_args(self.options),
                ],
                cwd=self._cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def kill(self, i: int) -> None:
        """End replica i at once (SIGKILL: a crash, not a shutdown), as a failing process would."""
        self.processes[i].kill()
        self.processes[i].wait(timeout=10)

    def restart(self, i: int, timeout: float = 90.0) -> None:
        """Start replica i again on its port (after kill) and wait until it answers: a restarted server."""
        if self.processes[i].poll() is None:
            self.kill(i)
        self.processes[i] = self._launch(i)
        self._wait([self.replica_urls[i]], timeout, "streamlit")

    def _wait(self, urls: list[str], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(urls)
        while waiting:
            if (dead := self.dead()) is not None:
                raise RuntimeError(f"{dead} exited while starting:\n{self.log_tail()}")
            waiting = [u for u in waiting if not healthy(u)]
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(
                    f"{what} not healthy after {timeout:.0f} s at {', '.join(waiting)}:\n{self.log_tail()}"
                )
            if waiting:
                time.sleep(0.2)

    def dead(self) -> str | None:
        """Which process has exited, or None while all run."""
        for i, p in enumerate(self.processes):
            if p.poll() is not None:
                return f"streamlit replica {i + 1} (port {self.ports[i]}, exit {p.returncode})"
        if self.nginx_process is not None and self.nginx_process.poll() is not None:
            return f"nginx (exit {self.nginx_process.returncode})"
        return None

    def log_tail(self, n: int = 15) -> str:
        parts = []
        for log in sorted(self.prefix.glob("*.log")) + sorted(self.prefix.glob("*.out")):
            lines = log.read_text(errors="replace").splitlines()[-n:]
            if lines:
                parts.append(f"--- {log.name}\n" + "\n".join(lines))
        return "\n".join(parts) or "(no logs)"

    def stop(self) -> None:
        """End nginx and every replica (terminate, then kill after 10 s) and remove the temporary folder."""
        everything = ([self.nginx_process] if self.nginx_process else []) + self.processes
        for p in everything:
            if p.poll() is None:
                p.terminate()  # nginx: fast shutdown; streamlit: closes its sessions
        for p in everything:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        shutil.rmtree(self.prefix, ignore_errors=True)
        if self.redis is not None:
            self.redis.remove()

    def __enter__(self) -> Replicas:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--replicas", type=int, default=2, help=f"Streamlit processes, 1..{MAX_REPLICAS}")
    parser.add_argument("--port", type=int, default=0, help="nginx's port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--app",
        default=None,
        help="the Streamlit script, relative to the repository (default app.py; with --redis, deploy/asgi.py: "
        "the app as an st.App that also serves class mode's feed, so following students cost no script runs)",
    )
    parser.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="a Streamlit config option for every process, e.g. runner.postScriptGC=false "
        "(see deploy/README.md); repeatable",
    )
    parser.add_argument(
        "--redis",
        action="store_true",
        help="start a local redis-server (Debian's) for class mode's shared state and point every "
        f"process at it ({REDIS_URL_ENV}); without it, each process keeps its own classes",
    )
    args = parser.parse_args(argv)
    if args.app is None:
        args.app = "deploy/asgi.py" if args.redis else "app.py"
    try:
        options = parse_options(args.option)
    except ValueError as err:
        parser.error(str(err))

    def stop_on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        front = Replicas(args.replicas, args.port, args.app, options=options, redis=args.redis)
    except KeyboardInterrupt:
        return 130
    try:
        print(
            f"{args.replicas} Streamlit processes at {', '.join(front.replica_urls)} "
            f"(pids {', '.join(map(str, front.pids))}){' with ' + ' '.join(option_args(options)) if options else ''}"
        )
        if front.redis is not None:
            print(f"class mode's shared state in redis-server at {front.redis.url} (data in {front.redis.dir})")
        print(f"nginx in front, sticky by cookie: {front.url}   (logs in {front.prefix}; Ctrl-C stops all)", flush=True)
        while (dead := front.dead()) is None:
            time.sleep(0.5)
        print(f"{dead} exited; stopping the rest\n{front.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopping", flush=True)
        return 0
    finally:
        front.stop()


if __name__ == "__main__":
    sys.exit(main())
