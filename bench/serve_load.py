"""Load on ``inventory serve`` with wrk, while a writer adds an activity every second.

    python bench/serve_load.py                  # the 100k store, 2 workers, 30 s a URL
    python bench/serve_load.py --rows 10000 --seconds 10

Starts ``inventory serve --workers N`` on a copy of the generated store, then for a month's
filtered page and for the API: wrk (``-t2 -c8 --latency``) for the given seconds, then
10,000 requests more to see whether the workers' memory stays flat. All the while another
process adds one activity a second with ``inventory add``. Besides wrk's count of failed
requests, a checker reads the API all the while and says whether every answer was whole
(valid JSON, ids once each) and of one version of the store (its count never goes down, as
the writer only adds). Needs wrk (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
INVENTORY = [sys.executable, "-m", "inventory.cli"]
PAGE = "/?project=GLACY%2B&month=2019-11"
API = "/api/activities?project=GLACY%2B&month=2019-11"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kb(pid: int) -> int:
    """The resident set of a process and its children (the workers)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def wrk(url: str, seconds: int) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {
        "rps": re.search(r"Requests/sec:\s+([\d.]+)", out),
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M),
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M),
        "requests": re.search(r"(\d+) requests in", out),
        "errors": re.search(r"Socket errors: (.*)", out),
        "non2xx": re.search(r"Non-2xx or 3xx responses: (\d+)", out),
    }
    return {k: (m.group(1) if m else "0" if k == "non2xx" else "none") for k, m in found.items()}


def requests(url: str, count: int) -> None:
    """``count`` requests, eight at a time (wrk has no count of its own)."""
    left = [count]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            with urllib.request.urlopen(url, timeout=30) as answer:
                answer.read()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-requests", type=int, default=10_000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    seed = OUT / f"serve-{args.rows}.csv"
    if not seed.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--rows", str(args.rows),
             "-o", str(seed)],
            check=True,
        )  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="serve-load-"))
    store = folder / "activities.csv"
    shutil.copy(seed, store)
    env = {**os.environ, "INVENTORY_STORE": str(store), "INVENTORY_AUTHOR": "bench"}
    subprocess.run([*INVENTORY, "list", "--month", "2019-11", "--json"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*INVENTORY, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    stop = threading.Event()
    writes = [0, 0]
    seen: list[str] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            result = subprocess.run(
                [*INVENTORY, "add", "--project", "GLACY+", "--title", f"Load workshop {n}",
                 "--dates", "12 November 2019", "--location", "Lyon, France"],
                env=env, capture_output=True, check=False,
            )  # fmt: skip
            writes[0 if result.returncode == 0 else 1] += 1
            stop.wait(1.0)

    def checker() -> None:
        last = 0
        while not stop.is_set():
            try:
                with urllib.request.urlopen(base + API, timeout=30) as answer:
                    found = json.loads(answer.read())
            except Exception as error:
                seen.append(f"failed: {error}")
                continue
            ids = [r["id"] for r in found]
            if len(ids) != len(set(ids)):
                seen.append("an id twice")
            if len(ids) < last:
                seen.append(f"went back from {last} to {len(ids)}")
            last = len(ids)
            stop.wait(0.2)

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/openapi.json", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.3)
        threads = [threading.Thread(target=writer), threading.Thread(target=checker)]
        for t in threads:
            t.start()
        print(f"{args.rows:,} activities, {args.workers} workers, wrk -t2 -c8 -d{args.seconds}s")
        print("| URL | requests/s | p50 | p99 | failed | RSS before → after "
              f"{args.memory_requests:,} more |")  # fmt: skip
        print("|---|---|---|---|---|---|")
        for path in (PAGE, API):
            result = wrk(base + path, args.seconds)
            before = rss_kb(server.pid)
            requests(base + path, args.memory_requests)
            after = rss_kb(server.pid)
            print(
                f"| `{path}` | {result['rps']} | {result['p50']} | {result['p99']} | "
                f"{result['non2xx']} non-2xx; socket errors: {result['errors']} | "
                f"{before // 1024} → {after // 1024} MB |"
            )
        stop.set()
        for t in threads:
            t.join()
        print(f"writer: {writes[0]} activities added, {writes[1]} adds failed")
        print(
            "answers read during the writes: "
            + ("; ".join(sorted(set(seen))) or "all whole, none went back")
        )
    finally:
        stop.set()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
