"""The parsing side of a cache build (``cache.Cache._rebuild``): rows of the CSV store read
and validated into what the cache keeps, in this process for a small store, in worker
processes for a big one. Imported by every query (cache.py), it imports the models only
when rows are read."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import ParseError, Problem
from . import cacheschema

if TYPE_CHECKING:
    from ..projects import Registry
    from .cacherows import RowReader


def parse_rows(
    rows: list[tuple[int, bytes, list[str]]], reader: RowReader, source: str
) -> list[tuple[int, bytes, cacheschema.Compact | Problem]]:
    """Read and validate rows of a CSV store into what the cache stores (in a worker process
    for a big build: it is most of the work)."""
    out: list[tuple[int, bytes, cacheschema.Compact | Problem]] = []
    prepare = reader.prepare
    for line, hash_, cells in rows:
        try:
            out.append((line, hash_, prepare(cells, hash_)))
        except ParseError as error:
            out.append((line, hash_, Problem(error.message, line, error.field, "error", source)))
    return out


_WORKER: dict[str, Any] = {}


def _worker_start(names: list[str], registry: Registry, source: str) -> None:
    from .cacherows import RowReader

    _WORKER.update(reader=RowReader(names, registry), source=source, sent={})


def _worker_parse(rows: list[tuple[int, bytes, list[str]]]) -> tuple[list[Any], list[Any]]:
    """Parse rows and send each schedule's template once: a row carries its number (in the
    order they were first sent), and the templates not sent before come with the rows."""
    out: list[Any] = parse_rows(rows, _WORKER["reader"], _WORKER["source"])
    sent: dict[int, int] = _WORKER["sent"]  # by id(): the reader keeps every template alive
    new: list[cacheschema.Template] = []
    for at, (line, hash_, item) in enumerate(out):
        if not isinstance(item, Problem):
            row, when = item[0], item[0][7]
            number = sent.get(id(when))
            if number is None:
                number = sent[id(when)] = len(sent)
                new.append(when)
            out[at] = (line, hash_, ((*row[:7], number, *row[8:]), item[1]))
    return new, out


class Parsers:
    """Parses chunks of rows: in this process for a small job, in worker processes (one per
    core, forked so they start at once) for a big one, keeping a few chunks in flight so the
    reading, the parsing and the inserting overlap. Each worker is sent the rows of its own
    share of the dates cells, so a date text is placed once in all, not once a worker. Its
    rows come back out of file order, which the build allows for: a duplicate id is settled
    by line once all are in (``Cache._resolve``)."""

    BIG = 4_000_000
    """Bytes of CSV from which workers pay for themselves (about 20,000 rows)."""

    def __init__(self, names: list[str], registry: Registry, source: str, size: int) -> None:
        from .cacherows import RowReader  # only a refresh reads rows (and needs the models)

        self.reader = RowReader(names, registry)
        self.source = source
        self.pools: list[Any] = []
        self.pending: deque[Any] = deque()
        self.key = names.index("dates") if "dates" in names else -1
        workers = min(os.cpu_count() or 1, 4)
        if size < self.BIG or workers < 2:
            return
        import multiprocessing  # only for a big build: importing it costs a query 10 ms

        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self.pools = [
                context.Pool(1, _worker_start, (names, registry, source)) for _ in range(workers)
            ]
            self.depth = workers * 2
            self.sent: list[list[cacheschema.Template]] = [[] for _ in self.pools]

    def __enter__(self) -> Parsers:
        return self

    def __exit__(self, *exc: object) -> None:
        for pool in self.pools:
            pool.terminate()
        for pool in self.pools:
            pool.join()

    def _share(self, cells: list[str]) -> int:
        # By the dates' text: every month it is read under goes to one worker, which works
        # out the template they share once.
        return hash(cells[self.key] if 0 <= self.key < len(cells) else "") % len(self.pools)

    def _received(self, worker: int, result: tuple[list[Any], list[Any]]) -> list[Any]:
        new, out = result
        sent = self.sent[worker]
        sent += new
        for at, (line, hash_, item) in enumerate(out):
            if not isinstance(item, Problem):
                row = item[0]
                out[at] = (line, hash_, ((*row[:7], sent[row[7]], *row[8:]), item[1]))
        return out

    def submit(self, rows: list[tuple[int, bytes, list[str]]]) -> Iterator[list[Any]]:
        """Hand rows over; yields the chunks parsed so far, oldest first."""
        if not self.pools:
            if rows:
                yield parse_rows(rows, self.reader, self.source)
            return
        shares: list[list[tuple[int, bytes, list[str]]]] = [[] for _ in self.pools]
        for row in rows:
            shares[self._share(row[2])].append(row)
        for worker, (pool, share) in enumerate(zip(self.pools, shares, strict=True)):
            if share:
                self.pending.append((worker, pool.apply_async(_worker_parse, (share,))))
        while len(self.pending) > self.depth:
            worker, result = self.pending.popleft()
            yield self._received(worker, result.get())

    def drain(self) -> Iterator[list[Any]]:
        while self.pending:
            worker, result = self.pending.popleft()
            yield self._received(worker, result.get())
