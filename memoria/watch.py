"""Notice saved files at once: Linux's inotify, through ctypes, for the dev server.

Polling stats every file of the project several times a second: at thousands of
files that costs CPU while idle, and a save waits for the next round before the
rebuild starts. inotify tells the server the moment an editor closes a file.
Where it is missing (not Linux, or no watches left), the server polls as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import sys
from pathlib import Path

_NONBLOCK, _CLOEXEC = 0o4000, 0o2000000
_ATTRIB, _CLOSE_WRITE, _MOVED_FROM, _MOVED_TO = 0x4, 0x8, 0x40, 0x80
_CREATE, _DELETE, _DELETE_SELF, _MOVE_SELF = 0x100, 0x200, 0x400, 0x800
_OVERFLOW, _ISDIR, _ONLYDIR = 0x4000, 0x40000000, 0x1000000
# Not IN_MODIFY: a save is a burst of writes, and the build should read the file once it is closed.
_MASK = _ATTRIB | _CLOSE_WRITE | _MOVED_FROM | _MOVED_TO | _CREATE | _DELETE | _DELETE_SELF | _MOVE_SELF
_EVENT = struct.Struct("iIII")


class Inotify:
    """Watches the project's top folder and every folder below the watched ones."""

    def __init__(self, fd: int, libc: ctypes.CDLL, project: Path, names: tuple[str, ...]):
        self.fd = fd
        self._libc = libc
        self.project = project
        self.names = names
        self.folders: dict[int, str] = {}  # watch descriptor -> folder, relative to the project ("" for itself)

    @classmethod
    def open(cls, project: Path, names: tuple[str, ...]) -> Inotify | None:
        """Watch `names` (files and folders) of a project; None where inotify cannot be used."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            fd = libc.inotify_init1(_NONBLOCK | _CLOEXEC)
        except (OSError, AttributeError):
            return None
        if fd < 0:
            return None
        watcher = cls(fd, libc, project.resolve(), names)
        if not watcher._add("") or not all(watcher._add_tree(name) for name in names):
            watcher.close()
            return None
        return watcher

    def _add(self, rel: str) -> bool:
        path = os.fsencode(self.project / rel if rel else self.project)
        wd = self._libc.inotify_add_watch(self.fd, path, _MASK | _ONLYDIR)
        if wd < 0:
            # Gone already (fine), or out of watches: then polling must take over.
            return ctypes.get_errno() in (2, 20)  # ENOENT, ENOTDIR
        self.folders[wd] = rel
        return True

    def _add_tree(self, rel: str) -> bool:
        pending = [rel]
        while pending:
            folder = pending.pop()
            if not (self.project / folder).is_dir() or (self.project / folder).is_symlink():
                continue
            if not self._add(folder):
                return False
            try:
                with os.scandir(self.project / folder) as entries:
                    pending.extend(f"{folder}/{e.name}" for e in entries if e.is_dir(follow_symlinks=False))
            except OSError:
                continue
        return True

    def read(self) -> list[str] | None:
        """The project files changed since the last call (relative paths); None when polling must take over."""
        changed: list[str] = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return changed
            offset = 0
            while offset < len(data):
                wd, mask, _, size = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + size].rstrip(b"\0").decode("utf-8", "replace")
                offset += _EVENT.size + size
                if mask & _OVERFLOW:
                    changed.append("")
                    continue
                folder = self.folders.get(wd)
                if folder is None or not name or name.startswith((".", "#")) or name.endswith("~"):
                    continue
                if folder == "" and name not in self.names:
                    continue
                rel = f"{folder}/{name}" if folder else name
                if mask & _ISDIR and mask & (_CREATE | _MOVED_TO) and not self._add_tree(rel):
                    return None
                changed.append(rel)

    def close(self) -> None:
        """Stop watching."""
        os.close(self.fd)
