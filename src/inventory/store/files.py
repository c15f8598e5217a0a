"""Files a store is kept in, handled as a careful tool does: a consistent read, an atomic
replace that keeps the file's mode, owner and byte-order mark, and a lock that says who
holds it.

* :func:`read_snapshot` reads the bytes and checks the file did not change while it read
  them (an editor saving in place), so a reader answers from one version of the store.
* :func:`check_unchanged` is the lost-update guard: just before a write replaces the file
  it must still be what the writer read (identity, and the digest when the file's clock is
  too coarse to tell, as git does for a "racily clean" file).
* :func:`atomic_write` writes a temporary file in the same folder, fsyncs it and renames it
  over the store. A killed writer's temporary files are removed by the next writer.
* :class:`StoreLock` is an advisory ``flock`` on ``PATH.lock``: the kernel releases it when
  its holder dies, so a stale lock cannot exist; the file names its holder (pid, command,
  since when) for the message of whoever waits, and is removed after use.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import secrets
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StoreError

Identity = tuple[int, int, int, int, int]
RACY_NS = 3_000_000_000
"""A file changed this close to when it was read may change again without changing its
identity (coarse clocks: FAT keeps two seconds); its digest is compared then."""
TMP_SUFFIX = ".inventory-tmp"
ENV_LOCK_TIMEOUT = "INVENTORY_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 120.0


def identity_of(st: os.stat_result) -> Identity:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


TICK_NS = 50_000_000
"""Longer than a tick of the clocks file times are taken from (Linux: 1-10 ms; Windows:
15.6 ms). On a file system that keeps times finer than a second, a change made a tick after
a version was seen gives the file another ctime."""


def is_racy(identity: Identity, seen_ns: int) -> bool:
    """Whether the file may have changed since ``seen_ns`` without its identity changing:
    within a tick of its times where they are finer than a second, else within
    :data:`RACY_NS` (a coarse clock: FAT keeps two seconds). Then its digest is compared."""
    mtime, ctime = identity[3], identity[4]
    if mtime % 1_000_000_000 and ctime % 1_000_000_000:
        return seen_ns - max(mtime, ctime) < TICK_NS
    return seen_ns - max(mtime, ctime) < RACY_NS


def os_error(path: Path, error: OSError, doing: str = "write") -> StoreError:
    """One plain line for an operating-system error, naming the file."""
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EFBIG: "the file would pass the size limit set for this user",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "is a folder",
        errno.ELOOP: "too many symbolic links",
        errno.ENAMETOOLONG: "the name is too long",
    }
    reason = reasons.get(error.errno or 0, error.strerror or str(error))
    return StoreError(f"cannot {doing}: {reason}", source=str(path))


def resolve(path: Path) -> Path:
    """The file a store path stands for: a symlink is followed, so writes reach the real
    store and every writer takes the same lock, whichever name it was given."""
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError) as error:
        raise StoreError(f"cannot follow the path: {error}", source=str(path)) from None


@dataclass(frozen=True)
class Snapshot:
    """The bytes of a file as one version, and what identifies that version."""

    path: Path
    data: bytes
    identity: Identity
    seen_ns: int
    streamed: bool = False
    """The bytes were not read into memory (:func:`stat_snapshot`): the digest, when asked
    for, is taken from the file read in pieces, which must still be this version."""

    @functools.cached_property
    def digest(self) -> str:
        if self.streamed:
            return file_digest(self.path, self.identity)
        return digest_of(self.data)

    def drop_data(self) -> None:
        """Let the bytes go once read (keeping what identifies them): a write to a big store
        need not hold them beside the rows it rewrites."""
        self.digest  # noqa: B018 (computed now, while the bytes are there)
        object.__setattr__(self, "data", b"")


def read_snapshot(path: Path, *, attempts: int = 5) -> Snapshot | None:
    """The file's bytes, read while it did not change; None when it does not exist."""
    for attempt in range(attempts):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return None
        except OSError as error:
            raise os_error(path, error, "read") from None
        try:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                kind = "a folder" if stat.S_ISDIR(before.st_mode) else "not a regular file"
                raise StoreError(f"is {kind}; expected a store file", source=str(path))
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            after = os.fstat(fd)
        except OSError as error:
            raise os_error(path, error, "read") from None
        finally:
            os.close(fd)
        if identity_of(before) == identity_of(after):
            try:
                current = os.stat(path)
            except OSError:
                current = None
            # Replaced by rename while we read: read the new one.
            if current is not None and identity_of(current) == identity_of(after):
                return Snapshot(path, b"".join(chunks), identity_of(after), time.time_ns())
        time.sleep(0.05 * (attempt + 1))
    raise StoreError(
        "the store kept changing while it was read; expected it to stay still for a moment",
        source=str(path),
        hint="run the command again once the other program has finished saving",
    )


def stat_snapshot(path: Path) -> Snapshot | None:
    """What names the file's version, without reading its bytes (a write streams them); None
    when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise os_error(path, error, "read") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise StoreError(f"is {kind}; expected a store file", source=str(path))
    return Snapshot(path, b"", identity_of(st), time.time_ns(), streamed=True)


def open_version(path: Path, identity: Identity) -> int:
    """The file opened for reading, refused unless it is still the version ``identity``
    names (the caller closes it, and checks it again once read: :func:`same_version`)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise changed(path, "was deleted") from None
    except OSError as error:
        raise os_error(path, error, "read") from None
    if not same_version(fd, identity):
        os.close(fd)
        raise changed(path, "was changed by someone else")
    return fd


def same_version(fd: int, identity: Identity) -> bool:
    return identity_of(os.fstat(fd)) == identity


def file_digest(path: Path, identity: Identity) -> str:
    """The SHA-256 of the file, read a megabyte at a time, while it is the version
    ``identity`` names (else the error a lost update gets)."""
    fd = open_version(path, identity)
    try:
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        if not same_version(fd, identity):
            raise changed(path, "was changed by someone else")
    except OSError as error:
        raise os_error(path, error, "read") from None
    finally:
        os.close(fd)
    return digest.hexdigest()


def check_unchanged(snapshot: Snapshot | None, path: Path, *, contents: bool = True) -> None:
    """Refuse to replace ``path`` unless it is still what ``snapshot`` read: someone may
    have saved it from a spreadsheet in between, and their work must not be lost.
    ``contents=False``: by its identity alone (an early look; the last one reads it)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if snapshot is None:
            return
        raise changed(path, "was deleted") from None
    except OSError as error:
        raise os_error(path, error, "check") from None
    if snapshot is None:
        raise changed(path, "was created by someone else")
    if identity_of(st) != snapshot.identity:
        raise changed(path, "was changed by someone else")
    if (
        contents
        and is_racy(snapshot.identity, snapshot.seen_ns)
        and (file_digest(path, snapshot.identity) != snapshot.digest)
    ):
        raise changed(path, "was changed by someone else")


def changed(path: Path, what: str) -> StoreError:
    return StoreError(
        f"{what} while this command ran; nothing was written, and their changes are kept",
        source=str(path),
        hint="run the command again: it will start from the file as it is now",
    )


def check_writable(path: Path) -> None:
    """A store marked read-only (``chmod a-w``, a common way to archive a quarter) is
    refused, by root too, rather than replaced by a writable copy; so is a store in a folder
    this user cannot write (where its new version, its lock and its history would go)."""
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        raise StoreError(
            f"cannot write: its folder {folder} is read-only for this user; nothing was written",
            source=str(path),
        )
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise os_error(path, error, "check") from None
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise StoreError(
            f"is read-only (mode {stat.filemode(st.st_mode)}); nothing was written",
            source=str(path),
            hint=f"make it writable first (chmod u+w {path}) if it should change",
        )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- files beside the store: its lock, history and cache ------------------------------------

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _store_stat(store: Path) -> os.stat_result | None:
    try:
        return os.stat(store)
    except OSError:
        return None


def take_store_permissions(fd: int, store: Path) -> None:
    """Give a file made beside the store the store's permissions, so it shows no more than
    the store does (a 0600 store's history stays private) and a group that shares the store
    can still write it; its owner and group too where this user may set them (root, or a
    member of the group). Beside a store not yet made, the umask decides, as for the store."""
    st = _store_stat(store)
    if st is None:
        os.fchmod(fd, 0o666 & ~_umask())
        return
    mode = stat.S_IMODE(st.st_mode) & 0o666
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except OSError:
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, st.st_gid)
    if os.fstat(fd).st_gid != st.st_gid:
        mode &= ~0o070  # the store's group bits were not meant for this group
    os.fchmod(fd, mode)


def create_companion(path: Path, store: Path) -> int | None:
    """A new file beside the store, created exclusively and never through a link (in a
    shared folder another user may have planted either), with the store's permissions;
    None when something is there already."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    except FileExistsError:
        return None
    try:
        take_store_permissions(fd, store)
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return fd


def user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def _in_group(uid: int, gid: int) -> bool:
    try:
        import grp
        import pwd

        user = pwd.getpwuid(uid)
        return user.pw_gid == gid or user.pw_name in grp.getgrgid(gid).gr_mem
    except (ImportError, KeyError):
        return False


def _may_write(uid: int, st: os.stat_result) -> bool:
    """Whether the user ``uid`` can rewrite the store anyway."""
    if uid in (0, st.st_uid) or uid == getattr(os, "getuid", lambda: -1)():
        return True
    if st.st_mode & 0o002:
        return True
    return bool(st.st_mode & 0o020) and _in_group(uid, st.st_gid)


def distrust(path: Path, store: Path, st: os.stat_result | None = None) -> str | None:
    """Why the file at ``path`` beside the store cannot be trusted, or None: a file that
    someone who cannot write the store could change (their file, or one their group or
    everyone may write), or not a plain file, or a second name of another file. Who can
    rewrite the store gains nothing from its companions; anyone else must not."""
    if st is None:
        st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if not stat.S_ISREG(st.st_mode):
        return "is not a plain file"
    if st.st_nlink != 1:
        return "is a second name of another file (a hard link)"
    me = getattr(os, "getuid", lambda: -1)()
    basis = _store_stat(store)
    if basis is None:  # no store yet: only this user's own files
        if st.st_uid not in (me, 0):
            return f"is owned by user {user_name(st.st_uid)!r}, not you"
        # The store to come gets what the umask gives (0664 under umask 002): no more.
        beyond = st.st_mode & 0o022 & ~(0o666 & ~_umask())
        return "is writable by others" if beyond else None
    if not _may_write(st.st_uid, basis):
        return f"is owned by user {user_name(st.st_uid)!r}, not you or the store's owner"
    group_ok = basis.st_mode & 0o020 and st.st_gid == basis.st_gid
    if st.st_mode & 0o020 and not group_ok and not basis.st_mode & 0o002:
        return f"is writable by group {_group_name(st.st_gid)!r}, which cannot write the store"
    if st.st_mode & 0o002 and not basis.st_mode & 0o002:
        return "is writable by everyone, and the store is not"
    return None


def check_companion(fd: int, path: Path, store: Path, consequence: str) -> None:
    """Refuse, in one line naming its owner, a file beside the store that someone who cannot
    write the store could have written (closing ``fd``)."""
    why = distrust(path, store, os.fstat(fd))
    if why is None:
        return
    os.close(fd)
    raise StoreError(
        f"{why}; {consequence}, so nothing was read or written",
        source=str(path),
        hint="ask its owner or an administrator to remove it: inventory then makes a new one",
    )


def planted(path: Path, store: Path, consequence: str) -> StoreError | None:
    """The refusal of a link or a special file beside the store that a user who cannot write
    the store left there, naming them; None when it is not such a file."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    basis = _store_stat(store)
    if basis is None or _may_write(st.st_uid, basis):
        return None
    if stat.S_ISLNK(st.st_mode):
        kind = "a symbolic link"
    elif stat.S_ISREG(st.st_mode):
        kind = "a file"
    else:
        kind = "not a plain file but one"
    return StoreError(
        f"is {kind} owned by user {user_name(st.st_uid)!r}, not you or the store's owner; "
        f"{consequence}, so nothing was read or written",
        source=str(path),
        hint="ask its owner or an administrator to remove it: inventory then makes a new one",
    )


def _group_name(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return str(gid)


def remove_leftovers(path: Path) -> None:
    """Remove the temporary files of writers killed before they could (call under the
    store's lock: only a lock holder writes them, so any found belong to a dead one)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if entry.name.startswith(f".{path.name}.") and entry.name.endswith(TMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)


def atomic_write(
    path: Path,
    data: bytes,
    *,
    create_parents: bool = False,
    before_replace: Callable[[], None] | None = None,
) -> Identity:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one, never
    a half-written one (see :class:`TempFile`). Returns the new file's identity."""
    temp = TempFile(path, create_parents=create_parents)
    temp.write(data)
    return temp.replace(before_replace)


class TempFile:
    """A file's next version, written beside it in pieces and put in its place by
    :meth:`replace`: readers see the old file or the new one, never a half-written one. It
    keeps the old file's mode and, where allowed, its owner; a new file gets the mode the
    umask gives. Any failure removes the temporary file."""

    def __init__(self, path: Path, *, create_parents: bool = False) -> None:
        self.path = path
        folder = path.parent
        if create_parents:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                raise StoreError(
                    "cannot write: a part of the path is a file, not a folder", source=str(path)
                ) from None
            except OSError as error:
                raise os_error(path, error) from None
        self.tmp = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}"
        try:
            self.old: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            self.old = None
        except OSError as error:
            raise os_error(path, error) from None
        try:
            self.fd: int | None = os.open(
                self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
            )
        except OSError as error:
            raise os_error(path, error) from None

    def write(self, data: bytes | memoryview) -> None:
        try:
            assert self.fd is not None
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
        except BaseException as error:
            self.discard()
            if isinstance(error, OSError):
                raise os_error(self.path, error) from None
            raise

    def discard(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)

    def replace(self, before_replace: Callable[[], None] | None = None) -> Identity:
        """Flush the new version and rename it over the file. ``before_replace`` runs last
        before the rename, and may raise to write nothing. Returns the new file's identity."""
        path, fd, old = self.path, self.fd, self.old
        assert fd is not None
        try:
            try:
                os.fsync(fd)
                if old is not None:
                    os.fchmod(fd, stat.S_IMODE(old.st_mode))
                    with contextlib.suppress(OSError):
                        os.fchown(fd, old.st_uid, old.st_gid)
                else:
                    os.fchmod(fd, 0o666 & ~_umask())
            finally:
                self.fd = None
                os.close(fd)
            if before_replace is not None:
                before_replace()
            with deferred_interrupt():
                os.replace(self.tmp, path)
                new = os.stat(path)
        except BaseException as error:
            self.discard()
            if isinstance(error, OSError):
                raise os_error(path, error) from None
            raise
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        return identity_of(new)


def write_out(given: Path, target: Path, data: bytes) -> None:
    """Write an output file (``-o``): a device or a named pipe (``/dev/stdout``) is written
    to as it is, never replaced by a file, not even by root; anything else is replaced
    atomically at ``target``, the path resolved."""
    try:
        st = os.stat(given)
    except OSError:
        st = None
    if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        try:
            with open(given, "wb") as handle:
                handle.write(data)
        except OSError as error:
            raise os_error(given, error) from None
        return
    atomic_write(target, data, create_parents=True)


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C back while a store's new version is put in place, so the store is left
    either as it was or as it is meant to be; the interrupt is delivered after."""
    if sys.platform == "win32" or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def lock_timeout() -> float:
    text = os.environ.get(ENV_LOCK_TIMEOUT, "")
    try:
        return max(0.0, float(text)) if text else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


class StoreLock:
    """An exclusive lock on a store, held by one process at a time (see the module's
    docstring). ``waiting`` is called once a second while another process holds it."""

    def __init__(self, target: Path, *, command: str = "", timeout: float | None = None) -> None:
        self.store = target
        self.path = target.with_name(target.name + ".lock")
        self.command = command or " ".join(["inventory", *sys.argv[1:]])[:200]
        self.timeout = lock_timeout() if timeout is None else timeout
        self._fd: int | None = None
        self._folder: int | None = None

    def holder(self) -> dict[str, Any]:
        try:
            fd = os.open(self.path, os.O_RDONLY | NOFOLLOW)
        except OSError:
            return {}
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return {}
            data = json.loads(os.read(fd, 4096).decode("utf-8") or "{}")
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}
        finally:
            os.close(fd)

    def _open(self) -> int | None:
        """The lock file, made with the store's permissions if it is not there; None when
        another user left something unusable there (a link, a folder, a file this user may
        not read), which this user may not be able to remove (a sticky shared folder):
        the folder itself is locked instead, so no one can block writes for good."""
        try:
            fd = self._made_or_opened()
        except OSError as error:
            if self._planted():
                return None
            if error.errno == errno.ELOOP:
                raise StoreError(
                    "is a symbolic link; expected the lock file to be a plain file",
                    source=str(self.path),
                    hint="remove it: inventory makes its own",
                ) from None
            if error.errno == errno.EISDIR:
                raise StoreError(
                    "is a folder; expected the lock file to be a plain file",
                    source=str(self.path),
                ) from None
            raise os_error(self.path, error, "take the lock") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            if self._planted():
                return None
            raise StoreError(
                "is not a regular file; expected the lock file to be a plain file",
                source=str(self.path),
            )
        return fd

    def _made_or_opened(self) -> int:
        for _ in range(10):
            try:
                made = create_companion(self.path, self.store)
                if made is not None:
                    return made
                return os.open(self.path, os.O_RDWR | NOFOLLOW)
            except PermissionError:
                # Left by another user's command that was killed: flock works on a file
                # opened for reading, so lock it as it is (its holder note stays theirs).
                return os.open(self.path, os.O_RDONLY | NOFOLLOW)
            except FileNotFoundError:
                if not self.path.parent.is_dir():
                    raise
                continue  # its holder removed it as we opened it
        return os.open(self.path, os.O_RDWR | os.O_CREAT | NOFOLLOW, 0o600)

    def _planted(self) -> bool:
        """Whether what is at the lock's path is another user's."""
        try:
            uid = os.lstat(self.path).st_uid
        except OSError:
            return False
        return uid != getattr(os, "getuid", lambda: -1)()

    def _lock_folder(self, exclusive: bool) -> bool | None:
        """Every writer holds the folder shared while it holds the lock file; one that cannot
        use the lock file holds the folder alone. False: busy; None: this file system
        cannot lock a folder."""
        import fcntl

        if self._folder is None:
            try:
                self._folder = os.open(
                    self.path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
                )
            except OSError:
                return None
        try:
            fcntl.flock(
                self._folder, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
            )
        except BlockingIOError:
            return False
        except OSError:
            return None
        return True

    def _let_folder_go(self) -> None:
        if self._folder is not None:
            os.close(self._folder)
            self._folder = None

    def acquire(self, waiting: Any = None) -> None:
        import fcntl

        deadline = time.monotonic() + self.timeout
        next_notice = time.monotonic() + 1.0
        while True:
            fd = self._open()
            try:
                folder = self._lock_folder(exclusive=fd is None)
                if folder is None and fd is None:
                    raise self._unusable()
                if folder is False:
                    raise BlockingIOError
                if fd is None:
                    return  # the folder alone, held until release
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if fd is not None:
                    os.close(fd)
                self._let_folder_go()
                now = time.monotonic()
                if now >= deadline:
                    raise self._busy() from None
                if waiting is not None and now >= next_notice:
                    waiting(self.holder())
                    next_notice = now + 1.0
                time.sleep(0.02 + 0.03 * secrets.randbelow(4))
                continue
            except OSError as error:
                if fd is not None:
                    os.close(fd)
                self._let_folder_go()
                raise os_error(self.path, error, "take the lock") from None
            except BaseException:
                if fd is not None:
                    os.close(fd)
                self._let_folder_go()
                raise
            # The previous holder removes the file as it lets go: if what we locked is no
            # longer the file at the path, lock the new one instead.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path, follow_symlinks=False).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                self._let_folder_go()
                continue
            record = {
                "pid": os.getpid(),
                "command": self.command,
                "since": time.time(),
                "host": os.uname().nodename if hasattr(os, "uname") else "",
            }
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, json.dumps(record).encode(), 0)
            self._fd = fd
            return

    def _unusable(self) -> StoreError:
        try:
            owner = user_name(os.lstat(self.path).st_uid)
        except OSError:
            owner = "someone else"
        return StoreError(
            f"is owned by user {owner!r}, not you, and cannot be used as the lock; "
            "nothing was written",
            source=str(self.path),
            hint="ask its owner or an administrator to remove it",
        )

    def _busy(self) -> StoreError:
        holder = self.holder()
        who = "another inventory command"
        if holder.get("pid"):
            details = [str(holder["command"])] if holder.get("command") else []
            if isinstance(holder.get("since"), int | float):
                details.append(f"running for {time.time() - holder['since']:.0f} s")
            who = f"process {holder['pid']}" + (f" ({', '.join(details)})" if details else "")
        waited = f"{self.timeout:.0f}" if self.timeout >= 10 else f"{self.timeout:.1f}"
        return StoreError(
            f"is locked by {who}; waited {waited} s and wrote nothing",
            source=str(self.path.with_name(self.path.name.removesuffix(".lock"))),
            hint=f"try again when it ends, or wait longer with {ENV_LOCK_TIMEOUT}=SECONDS",
        )

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            os.close(self._fd)
            self._fd = None
        self._let_folder_go()

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
