"""Edit-to-reload time of `build.py serve` on a corpus: save an article, time the reload message and the new page.

    python3 ../shared/bench/make_corpus.py --articles 1000 /tmp/corpus1k
    cp -r layouts assets /tmp/corpus1k/ && python3 build.py --project /tmp/corpus1k --quiet
    python3 tests/benchmarks/reload_time.py /tmp/corpus1k 8795 15

Connects to /livereload as a browser does, appends a paragraph to one article, and measures the
time until the reload message arrives and until the article's page contains the new text.
Not part of the test suite.
"""

from __future__ import annotations

import asyncio
import glob
import json
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tornado.websocket import websocket_connect

REPO = Path(__file__).resolve().parents[2]


async def measure(project: Path, port: int, rounds: int) -> None:
    """Start the server, edit one article `rounds` times, print the timings."""
    article = Path(sorted(glob.glob(str(project / "content/articles/*/*.md")))[500])
    match = re.search(r"^slug:\s*(\S+)", article.read_text(), re.M)
    slug = match.group(1).strip('"') if match else re.sub(r"^\d{4}-\d{2}-\d{2}-", "", article.stem)
    url = f"http://127.0.0.1:{port}/articles/{slug}/"
    command = [sys.executable, "build.py", "serve", "--project", str(project), "--port", str(port)]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    line = ""
    while "serving" not in line:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server stopped")
    urllib.request.urlopen(url).read()
    socket = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await socket.write_message(
        json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
    )
    await socket.read_message()
    await socket.write_message(json.dumps({"command": "info", "url": url}))
    await asyncio.sleep(0.5)
    text, reloads, served = article.read_text(), [], []
    try:
        for i in range(rounds):
            marker = f"Edited paragraph {i} {time.time()}"
            start = time.perf_counter()
            article.write_text(text + f"\n\n{marker}\n")
            await asyncio.wait_for(socket.read_message(), 60)
            reloads.append(time.perf_counter() - start)
            body = urllib.request.urlopen(url).read().decode()
            served.append(time.perf_counter() - start)
            assert marker in body
            await asyncio.sleep(1.0)
    finally:
        article.write_text(text)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    print(
        f"median over {rounds} edits: reload message {statistics.median(reloads) * 1000:.0f} ms, "
        f"new page served {statistics.median(served) * 1000:.0f} ms (min {min(served) * 1000:.0f}, max {max(served) * 1000:.0f})"
    )


if __name__ == "__main__":
    asyncio.run(measure(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 10))
