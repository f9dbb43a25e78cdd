"""memoria/parallel.py: work spread over forked processes, and what the parent does meanwhile."""

from __future__ import annotations

import os

import pytest

from memoria import parallel
from memoria.parallel import map_forked, slices


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


@pytest.mark.parametrize("cores", [1, 2])
def test_results_in_order_and_meanwhile_once_the_first_items_are_done(
    monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: cores)
    seen: list[list[tuple[int, int]]] = []
    nested: list[list[int]] = []

    def meanwhile(done: list[tuple[int, int]]) -> None:
        seen.append(done)
        # The parent may share out more work meanwhile (the search index's event records).
        nested.append([square for square, _ in map_forked(_square_and_pid, [7, 8, 9])])

    arrived: list[int] = []
    results = map_forked(_square_and_pid, list(range(10)), done=arrived.append, meanwhile=meanwhile, held=3)
    assert [square for square, _ in results] == [n * n for n in range(10)]
    assert sorted(arrived) == list(range(10))
    assert len(seen) == 1 and [square for square, _ in seen[0]] == [n * n for n in range(7)]
    assert nested == [[49, 64, 81]]
    workers = {pid for _, pid in results}
    assert (os.getpid() in workers) == (cores == 1)


def test_meanwhile_with_nothing_to_wait_for_and_without_meanwhile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    seen: list[list[tuple[int, int]]] = []
    assert [r[0] for r in map_forked(_square_and_pid, [1, 2], meanwhile=seen.append, held=2)] == [1, 4]
    assert seen == [[]]
    assert [r[0] for r in map_forked(_square_and_pid, [3, 4])] == [9, 16]


def _fails_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


@pytest.mark.parametrize("where", ["worker", "meanwhile"])
def test_an_error_in_a_worker_or_meanwhile_is_raised_here(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)

    def meanwhile(done: list[int]) -> None:
        raise RuntimeError("meanwhile")

    items = [1, 2, 3] if where == "worker" else [1, 2]
    with pytest.raises(ValueError if where == "worker" else RuntimeError):
        map_forked(_fails_on_three, items, meanwhile=meanwhile if where == "meanwhile" else None)
    assert parallel._task is None


def test_slices_cover_the_items_in_order() -> None:
    assert slices(list(range(10)), 3) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert slices([], 4) == []
