"""Connection handling and schema migrations for the state store.

WAL mode plus a busy timeout lets the TUI and the watcher hold the store open at once.
Migrations are ``NNNN_name.sql`` files beside this package, each applied once, in name order,
inside a transaction, and recorded in ``schema_migrations``. Which ones are missing is read
first without a lock, so opening an up-to-date store never waits for another process's write
lock (``status`` works while an apply runs).

A store is never repaired or replaced silently: an empty (0-byte) or damaged ``state.db`` is a
:class:`~vaultcurator.errors.StoreError` naming ``vaultcurator reset-store``, which moves it
aside. A new store is built under a temporary name and linked into place, so a legitimate
``state.db`` is never 0 bytes, even for a moment. On a read-only vault the store opens
read-only (an empty in-memory one when there is none yet) and any write is a
:class:`~vaultcurator.errors.ReadOnlyError`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vaultcurator.config import vault_state_dir
from vaultcurator.errors import ConfigError, ReadOnlyError, StoreBusyError, StoreError

DB_FILE_NAME = "state.db"
BUSY_TIMEOUT_MS = 30_000
LOCK_TIMEOUT_ENV = "VAULTCURATOR_LOCK_TIMEOUT"
"""Seconds a write waits for another process's write lock (default 30)."""
_READ_VERBS = ("select", "pragma", "with", "explain", "values")
AUTOCHECKPOINT_PAGES = 1000
"""SQLite's default: a commit that leaves the WAL this many pages long copies it into the
database (see :meth:`Store.bulk_transaction` for the exception)."""


def lock_timeout() -> float:
    """The write-lock wait in seconds: ``VAULTCURATOR_LOCK_TIMEOUT`` or 30."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return BUSY_TIMEOUT_MS / 1000
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise ConfigError(f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds") from None


def _migrations() -> list[tuple[str, str]]:
    """Every migration's (file name, SQL). Read from the folder beside this module: asking
    ``importlib.resources`` cost every command's start ~4 ms of imports (it is the way
    only when the package is not a plain folder, e.g. a zip)."""
    folder: Any = Path(__file__).with_name("migrations")
    if not folder.is_dir():  # pragma: no cover - a zipped package
        from importlib import resources

        folder = resources.files("vaultcurator.store") / "migrations"
    found = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(found)


def _reset_hint(path: Path) -> str:
    return f"Run `vaultcurator reset-store {path.parent.parent}` to move it aside"


def empty_store_error(path: Path) -> StoreError:
    return StoreError(
        f"the state store {path} is empty (0 bytes: cut short by a crash, a sync tool or a full "
        f"disk?); nothing was changed. {_reset_hint(path)} and start a new one"
    )


def damaged_store_error(path: Path, exc: BaseException) -> StoreError:
    return StoreError(
        f"the state store {path} is damaged ({exc}); the command stopped. {_reset_hint(path)} "
        "(what it held stays in the moved file) and start a new one"
    )


def busy_error(path: Path, timeout: float) -> StoreBusyError:
    return StoreBusyError(
        f"the state store {path} is busy: another process held its write lock for over "
        f"{timeout:g} s (an apply, curate, watch or the review UI?); try again when it is done "
        f"({LOCK_TIMEOUT_ENV} sets the wait)"
    )


def read_only_error(path: Path) -> ReadOnlyError:
    return ReadOnlyError(
        f"the vault is read-only: {path.parent} cannot be written and this command needs to "
        "record its work there (status, scan --no-cache and review --print work read-only)"
    )


def translate(exc: sqlite3.Error, path: Path, timeout: float) -> Exception:
    """The user-facing error for an SQLite failure, or ``exc`` itself when it is a bug."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        if "locked" in text or "busy" in text:
            return busy_error(path, timeout)
        if "readonly" in text or "read-only" in text:
            return read_only_error(path)
        if "disk i/o error" in text or "malformed" in text:
            return damaged_store_error(path, exc)
        return exc
    if type(exc) is sqlite3.DatabaseError:  # not a database, malformed image, ...
        return damaged_store_error(path, exc)
    return exc


def _writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (a real probe: root ignores mode bits,
    a read-only mount does not). An unnamed file where Linux allows (``O_TMPFILE``), else a
    named one removed at once; plain ``os`` calls (importing ``tempfile`` cost every
    command's start ~2 ms)."""
    unnamed = getattr(os, "O_TMPFILE", 0)
    if unnamed:
        try:
            os.close(os.open(folder, unnamed | os.O_WRONLY, 0o600))
            return True
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                return False  # else: O_TMPFILE unsupported here, try a named file
    probe = folder / f".vc-probe-{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        return False
    with contextlib.suppress(OSError):
        probe.unlink()
    return True


def _create_fresh(path: Path) -> None:
    """A new, empty WAL-mode database built under a temporary name, then linked to ``path``
    (a racing process that created it first wins; ours is dropped)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # no hard links here (some network file systems)
            if not path.exists():
                tmp.replace(path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def store_problem(path: Path) -> str | None:
    """Why the store at ``path`` cannot be used (empty, damaged, unreadable), or None.

    Opens it read-only and changes nothing (``reset-store`` asks this before moving it)."""
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        return "it is empty (0 bytes)"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        return f"it cannot be opened ({exc})"
    try:
        row = conn.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            return f"it is damaged ({row[0] if row else 'no answer from quick_check'})"
    except sqlite3.OperationalError as exc:
        if "unable to open" in str(exc):  # read-only folder without -shm: nothing to judge
            return None
        return f"it cannot be read ({exc})"
    except sqlite3.DatabaseError as exc:
        return f"it is damaged ({exc})"
    finally:
        conn.close()
    return None


class Store:
    """A thin owner of one SQLite connection; repositories take it as their first argument.

    The connection is shared across threads (``check_same_thread=False``) behind a lock, so a
    TUI worker thread and the UI thread can both use one Store. ``read_only``: opened without
    write access (a read-only vault); every write raises :class:`ReadOnlyError`.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.timeout = lock_timeout()
        self._lock = threading.RLock()
        self._checkpointer: tuple[threading.Thread, sqlite3.Connection] | None = None
        if path.exists() and path.stat().st_size == 0:
            raise empty_store_error(path)
        self.conn = self._open_read_only() if read_only else self._open_writable()
        self.conn.row_factory = sqlite3.Row
        try:
            if read_only:
                self.conn.execute("PRAGMA query_only = ON")
            else:
                self.migrate()
        except BaseException:
            self.conn.close()
            raise

    def _connect(self, target: str, *, uri: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(
            target,
            timeout=self.timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=uri,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return conn

    def _open_writable(self) -> sqlite3.Connection:
        """Open (creating if needed) for writing; ReadOnlyError when the folder refuses."""
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                _create_fresh(path)
        except OSError:
            if path.parent.is_dir() and _writable(path.parent):
                raise
            raise read_only_error(path) from None
        if not os.access(path, os.W_OK) or not _writable(path.parent):
            raise read_only_error(path)
        conn = self._connect(str(path))
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            conn.close()
            raise translate(exc, path, self.timeout) from exc
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        """The store as it is, never written: ``mode=ro``, or ``immutable`` when its folder
        cannot even hold the shared-memory file; in memory (empty, migrated) when absent."""
        if not self.path.exists():
            conn = self._connect(":memory:")
            conn.row_factory = sqlite3.Row
            self._apply_migrations(conn)
            return conn
        last: sqlite3.Error | None = None
        for query in ("mode=ro", "mode=ro&immutable=1"):
            conn = self._connect(f"file:{self.path}?{query}", uri=True)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.Error as exc:
                conn.close()
                last = exc
        assert last is not None
        raise translate(last, self.path, self.timeout) from last

    def pending_migrations(self) -> list[tuple[str, str]]:
        """Migrations not applied yet, read without taking any lock."""
        return _pending(self.conn)

    def migrate(self) -> list[str]:
        """Apply pending migrations; returns the names applied now.

        The write lock is taken only when something is missing, and what is missing is read
        again under it (another process may have migrated meanwhile)."""
        try:
            if not _pending(self.conn):
                return []
        except sqlite3.Error as exc:
            raise translate(exc, self.path, self.timeout) from exc
        with self.transaction() as conn:
            return self._apply_migrations(conn)

    @staticmethod
    def _apply_migrations(conn: sqlite3.Connection) -> list[str]:
        applied_now: list[str] = []
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
        )
        for name, sql in _pending(conn):
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)",
                (name, time.time()),
            )
            applied_now.append(name)
        return applied_now

    @property
    def schema_version(self) -> str:
        row = self.conn.execute("SELECT max(name) FROM schema_migrations").fetchone()
        return str(row[0])

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            mapped = translate(exc, self.path, self.timeout)
            if mapped is exc:
                raise
            raise mapped from exc

    def _refuse_write(self) -> None:
        if self.read_only:
            raise read_only_error(self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: one writer at a time, rolled back on error."""
        self._refuse_write()
        with self._lock, self._translated():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    @contextmanager
    def bulk_transaction(self) -> Iterator[sqlite3.Connection]:
        """:meth:`transaction` for a large write of data that can be rebuilt (the scan
        cache): its commit does not copy the WAL into ``state.db`` itself; a helper thread
        does that next while this one goes on (see :meth:`_checkpoint_later`).

        Durability is that of every commit here (``synchronous = NORMAL``: the WAL is synced
        by the checkpoint); only who waits for the checkpoint's writes and fsyncs changes
        (~35 ms after a cold scan of 10,000 notes, which the scan report then overlaps).
        """
        with self._lock:
            helper = self._helper_connection()
            self.conn.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                with self.transaction() as conn:
                    yield conn
            except BaseException:
                if helper is not None:
                    helper.close()
                raise
            finally:
                self.conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
            self._checkpoint_later(helper)

    def _helper_connection(self) -> sqlite3.Connection | None:
        """A second connection for the checkpoint, opened here: the helper thread then
        needs the GIL only around one call (each wait for it costs up to the interpreter's
        switch interval while this thread computes)."""
        try:
            return sqlite3.connect(
                str(self.path), timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error:
            return None

    def _checkpoint_later(self, helper: sqlite3.Connection | None) -> None:
        """Checkpoint the WAL from a thread, on ``helper`` (a passive checkpoint: it never
        waits for, nor blocks, another reader or writer); here when there is no helper.
        Joined by :meth:`close` and before the next one. A failure leaves the WAL for a later
        checkpoint to copy, as a checkpoint cut short by a crash would."""
        self._join_checkpoint()
        if helper is None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            return

        def checkpoint() -> None:
            with contextlib.suppress(sqlite3.Error):
                helper.execute("PRAGMA wal_checkpoint(PASSIVE)")

        thread = threading.Thread(target=checkpoint, name="vaultcurator-checkpoint")
        self._checkpointer = thread, helper
        thread.start()

    def _join_checkpoint(self) -> None:
        pending, self._checkpointer = self._checkpointer, None
        if pending is not None:
            thread, helper = pending
            thread.join()
            helper.close()

    def execute(
        self, sql: str, params: tuple[object, ...] | dict[str, object] = ()
    ) -> sqlite3.Cursor:
        if self.read_only and not sql.lstrip().lower().startswith(_READ_VERBS):
            self._refuse_write()
        with self._lock, self._translated():
            return self.conn.execute(sql, params)

    def query(
        self, sql: str, params: tuple[object, ...] | dict[str, object] = ()
    ) -> list[sqlite3.Row]:
        with self._lock, self._translated():
            return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self._join_checkpoint()
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pending(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    try:
        done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        done = set()
    return [(name, sql) for name, sql in _migrations() if name not in done]


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3 executes one at a time in a transaction)."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in sql.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") and not buffer:
            continue
        buffer.append(line)
        candidate = "\n".join(buffer)
        if stripped.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buffer = []
    if "\n".join(buffer).strip():
        statements.append("\n".join(buffer))
    return statements


def open_store(vault_root: Path, *, read_only: bool | None = None) -> Store:
    """Open (creating and migrating if needed) the vault's state store.

    ``read_only``: None opens it for writing when the vault allows and read-only otherwise
    (a read-only vault can still be scanned, reviewed with --print and shown by status; a
    write then fails with one clear message); True never writes; False insists on writing.
    """
    path = vault_state_dir(vault_root) / DB_FILE_NAME
    if read_only:
        return Store(path, read_only=True)
    try:
        return Store(path)
    except ReadOnlyError:
        if read_only is False:
            raise
        return Store(path, read_only=True)
