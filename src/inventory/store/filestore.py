"""What the CSV and JSON stores share: a file beside its ``projects.csv``, its history
journal, and one way to write it: lock, read one version, apply the batch, check nobody
saved the file meanwhile, replace it atomically, record the change."""

from __future__ import annotations

import contextlib
import os
from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..changes import Author, Change, Damage, Edit, now
from ..errors import StoreError
from ..months import Period
from . import journal
from .base import Store, _Session
from .files import (
    Identity,
    Snapshot,
    StoreLock,
    TempFile,
    atomic_write,
    check_unchanged,
    check_writable,
    digest_of,
    read_snapshot,
    remove_leftovers,
    stat_snapshot,
)

if TYPE_CHECKING:
    from ..model import Activity
    from ..projects import Registry


def registry_beside(path: Path) -> Registry:
    """The projects of the ``projects.csv`` beside a store, else the built-in list."""
    from ..projects import load_registry  # pydantic: only when the projects are asked for

    return load_registry(path.parent / "projects.csv")


class FileStore(Store):
    def __init__(self, path: Path, *, create: bool = False) -> None:
        self.path = path
        self.location = str(path)
        self.create = create
        self._registry: Registry | None = None
        self._warned = False

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = registry_beside(self.path)
        return self._registry

    def history(
        self,
        *,
        ident: str | None = None,
        author: str | None = None,
        period: Period | None = None,
        limit: int | None = None,
        edits: bool = True,
    ) -> list[Change]:
        changes = self._history()
        return journal.newest_first(
            changes, ident=ident, author=author, period=period, limit=limit, edits=edits
        )

    def change(self, number: int) -> Change | None:
        return next((c for c in reversed(self._history()) if c.number == number), None)

    def history_damage(self) -> list[Damage]:
        return journal.parse(journal.journal_path(self.path)).damage

    def _history(self) -> list[Change]:
        """The changes made, in the order of the file; the lines it cannot read are
        warned about once a command (with their numbers) and left out."""
        path = journal.journal_path(self.path)
        digest: list[str | None] = []

        def resolve(entry: journal.HistoryLine) -> bool:
            # A writer between its history line and its store, or killed there.
            if not digest:
                snapshot = read_snapshot(self.path)
                digest.append(snapshot.digest if snapshot is not None else None)
            return journal.stands(entry, digest[0], self.by_ids)

        changes, damage = journal.visible(path, resolve)
        skipped = [d.line for d in damage if d.unreadable]
        if skipped and not self._warned:
            self._warned = True
            lines = ", ".join(map(str, skipped[:10])) + (" ..." if len(skipped) > 10 else "")
            journal.warn(
                f"{path}: skipped line{'s' if len(skipped) > 1 else ''} {lines}, which cannot "
                "be read; 'inventory validate' says why"
            )
        return changes

    @abstractmethod
    def empty(self) -> bytes:
        """What an empty store of this kind holds."""

    def schema(self) -> tuple[int, int]:
        return 0, 0  # a CSV or JSON file has no schema

    def upgrade(self) -> list[str]:
        return []

    def initialise(self) -> str:
        if self.path.exists():
            return f"{self.path} exists already; nothing to do"
        with self._begin(Author(command="inventory db init")):
            if not self.path.exists():
                atomic_write(self.path, self.empty())
        return f"created an empty store: {self.path}"

    def own_files(self) -> set[Path]:
        from .cache import JOURNALS, cache_path

        path = self.path
        cache = cache_path(path)
        return {
            path,
            path.with_name(path.name + ".lock"),
            journal.journal_path(path),
            path.parent / "projects.csv",
            cache,
            *(cache.with_name(cache.name + suffix) for suffix in JOURNALS),
        }

    @abstractmethod
    def _session(self, snapshot: Snapshot | None) -> FileSession: ...

    def _version(self) -> Snapshot | None:
        """The version a write starts from (read under the lock)."""
        return read_snapshot(self.path)

    @contextlib.contextmanager
    def _begin(self, author: Author) -> Iterator[_Session]:
        folder = self.path.parent
        if not folder.is_dir():
            if not self.create:
                raise StoreError("no such folder", source=str(folder))
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                raise StoreError(
                    "cannot create the folder: a part of the path is a file, not a folder",
                    source=str(folder),
                ) from None
            except OSError as error:
                from .files import os_error

                raise os_error(folder, error, "create the folder") from None
        check_writable(self.path)
        with StoreLock(self.path, command=author.command):
            remove_leftovers(self.path)
            snapshot = self._version()
            if snapshot is None and not self.create:
                raise StoreError("no such store", source=str(self.path))
            session = self._session(snapshot)
            session.author = author
            journal.recover(
                journal.journal_path(self.path),
                lambda: snapshot.digest if snapshot is not None else None,
                session.by_ids,
            )
            yield session


class FileSession(_Session):
    """One write to a file store, under its lock."""

    def __init__(self, store: FileStore, snapshot: Snapshot | None) -> None:
        self.store = store
        self.snapshot = snapshot
        self.author = Author()

    @abstractmethod
    def render(self, changes: dict[str, Activity | None]) -> bytes:
        """The file's new bytes with these rows changed."""

    def prepare(self, changes: dict[str, Activity | None]) -> tuple[TempFile, str]:
        """The file's next version with these rows changed, written beside it (not yet
        flushed or in place), and its digest."""
        data = self.render(changes)
        temp = TempFile(self.store.path)
        temp.write(data)
        return temp, digest_of(data)

    def written(self, changes: dict[str, Activity | None], digest: str, identity: Identity) -> None:
        """After the file was replaced: update what describes it (the CSV cache)."""

    def hold(self) -> None:
        """Just before the rename: keep readers of what describes the file (the CSV cache)
        waiting until :meth:`written` has made it describe the new version, so that none
        of them takes the new file for a hand edit and reads all of it again."""

    def release(self) -> None:
        """Let those readers go, whether or not :meth:`written` ran."""

    def commit(
        self, changes: dict[str, Activity | None], edits: list[Edit], reverts: int | None
    ) -> None:
        temp, digest = self.prepare(changes)
        path = self.store.path
        try:
            # By its identity only: hashing a big store here and again before the rename
            # would double the cost of a racily clean one; that last check reads it.
            check_unchanged(self.snapshot, path, contents=False)
            history = journal.journal_path(path)
            number = journal.next_number(history)
            change = Change(
                number, now(), self.author.name, self.author.command, tuple(edits), reverts
            )
            # Written ahead: a store that holds the change always has its line (see journal).
            pending = journal.append(history, journal.entry(change, digest))
        except BaseException:
            temp.discard()
            raise

        def before_replace() -> None:
            self.hold()
            # Checked again just before the rename: a save from a spreadsheet while the
            # new version was written and flushed must not be replaced either.
            check_unchanged(self.snapshot, path)

        try:
            identity = temp.replace(before_replace=before_replace)
        except BaseException:
            self.release()
            # Ctrl-C is held back until the rename is done, then raised: the change may
            # be made already, and then it stands.
            if _holds(path, digest):
                journal.finish(pending, journal.DONE)
            else:
                journal.withdraw(pending)
            raise
        try:
            journal.finish(pending, journal.DONE)
            self.written(changes, digest, identity)
        finally:
            self.release()
        self.change = change


def _holds(path: Path, digest: str) -> bool:
    try:
        snapshot = stat_snapshot(path)
        return snapshot is not None and snapshot.digest == digest
    except StoreError:
        return False


def file_identity(path: Path) -> Identity | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
