"""A file system that loses what was not fsync'd when its process dies: a power cut, in a test.

    python tests/faults/powercut_fs.py BACKING MOUNTPOINT

SIGUSR1 makes every later fsync fail with EIO, as a failing disk does; the writes it held are
dropped, as Linux drops the dirty pages of a failed writeback ("fsyncgate"): a second fsync
would succeed without having written them.

A FUSE file system (mfusepy over libfuse 3) that passes through to the directory BACKING, except
that file data written since that file's last fsync or fdatasync lives only in this process's
memory. SIGKILL the process and that data is gone, as a disk's volatile cache is at a power cut;
what was synced is in BACKING. The idea is LazyFS's (dsrhaslab/lazyfs), which Debian does not
package; this is the small part of it the power-cut test needs.

The model:

- writes and truncations of a file are held per file, page by page, until the file is synced
  (fsync or fdatasync on any descriptor of it); then they are written to BACKING and fsync'd;
- reads and sizes see the held data, as a page cache shows unsynced data to every process;
- closing a file syncs nothing;
- names (create, unlink, rename, mkdir) reach BACKING at once. A real file system can lose a
  new directory entry at a power cut; SQLite fsyncs the directory where that matters. The model
  is kinder than a disk there, and only there.

Single-threaded (`nothreads`): FUSE serialises the calls, so the held pages need no lock.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from typing import Any

import mfusepy as fuse

PAGE = 4096


class _Held:
    """One file's unsynced state."""

    def __init__(self, size: int) -> None:
        self.size = size  # the size every process sees
        self.pages: dict[int, bytearray] = {}  # page index -> its unsynced content
        self.cut: int | None = None  # lowest truncation since the last sync


class PowerCutFS(fuse.Operations):
    use_ns = True

    def __init__(self, backing: str) -> None:
        self.root = backing
        self.held: dict[str, _Held] = {}
        self.failing = False  # SIGUSR1: the disk has gone bad

    def fail(self, *_: object) -> None:
        self.failing = True

    def _real(self, path: str) -> str:
        return os.path.join(self.root, path.lstrip("/"))

    def _held(self, path: str) -> _Held:
        held = self.held.get(path)
        if held is None:
            held = self.held[path] = _Held(os.path.getsize(self._real(path)))
        return held

    def _backing_bytes(self, path: str, held: _Held, offset: int, size: int) -> bytearray:
        """What BACKING holds at [offset, offset + size) as the file now stands: zeros past a
        truncation made since the last sync, nothing past the file's size."""
        end = min(offset + size, held.size)
        if offset >= end:
            return bytearray()
        limit = end if held.cut is None else min(end, held.cut)
        data = b""
        if limit > offset:
            with open(self._real(path), "rb") as f:
                f.seek(offset)
                data = f.read(limit - offset)
        return bytearray(data.ljust(end - offset, b"\0"))

    def _page(self, path: str, held: _Held, index: int) -> bytearray:
        page = held.pages.get(index)
        if page is None:
            page = self._backing_bytes(path, held, index * PAGE, PAGE)
            page.extend(bytes(PAGE - len(page)))
            held.pages[index] = page
        return page

    # -- data -----------------------------------------------------------------------------

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        held = self.held.get(path)
        if held is None:
            with open(self._real(path), "rb") as f:
                f.seek(offset)
                return f.read(size)
        out = self._backing_bytes(path, held, offset, size)
        end = offset + len(out)
        for index in range(offset // PAGE, (end + PAGE - 1) // PAGE):
            page = held.pages.get(index)
            if page is None:
                continue
            lo, hi = max(offset, index * PAGE), min(end, (index + 1) * PAGE)
            out[lo - offset : hi - offset] = page[lo - index * PAGE : hi - index * PAGE]
        return bytes(out)

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        held = self._held(path)
        view, pos = memoryview(data), offset
        while view:
            index, start = divmod(pos, PAGE)
            n = min(PAGE - start, len(view))
            self._page(path, held, index)[start : start + n] = view[:n]
            view, pos = view[n:], pos + n
        held.size = max(held.size, offset + len(data))
        return len(data)

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        held = self._held(path)
        if length < held.size:
            held.cut = length if held.cut is None else min(held.cut, length)
            for index in [i for i in held.pages if i * PAGE >= length]:
                del held.pages[index]
            page = held.pages.get(length // PAGE)
            if page is not None:
                page[length % PAGE :] = bytes(PAGE - length % PAGE)
        held.size = length
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        held = self.held.pop(path, None)
        if self.failing:
            raise fuse.FuseOSError(errno.EIO)  # and `held` is gone
        fd = os.open(self._real(path), os.O_WRONLY)
        try:
            if held is not None:
                if held.cut is not None:
                    os.ftruncate(fd, held.cut)
                for index, page in sorted(held.pages.items()):
                    start = index * PAGE
                    if start < held.size:
                        os.pwrite(fd, page[: min(PAGE, held.size - start)], start)
                os.ftruncate(fd, held.size)
            os.fsync(fd)
        finally:
            os.close(fd)
        return 0

    def flush(self, path: str, fh: int) -> int:
        return 0  # close(2) syncs nothing

    def release(self, path: str, fh: int) -> int:
        return 0

    # -- names and attributes: straight to BACKING ------------------------------------------

    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        try:
            st = os.lstat(self._real(path))
        except FileNotFoundError:
            raise fuse.FuseOSError(errno.ENOENT) from None
        attrs = {
            key: getattr(st, key) for key in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size")
        }
        attrs |= {"st_atime": st.st_atime_ns, "st_mtime": st.st_mtime_ns,
                  "st_ctime": st.st_ctime_ns}  # fmt: skip
        held = self.held.get(path)
        if held is not None:
            attrs["st_size"] = held.size
        return attrs

    def access(self, path: str, amode: int) -> int:
        if not os.access(self._real(path), amode):
            raise fuse.FuseOSError(errno.EACCES)
        return 0

    def open(self, path: str, flags: int) -> int:
        if not os.path.exists(self._real(path)):
            raise fuse.FuseOSError(errno.ENOENT)
        return 0

    def create(self, path: str, mode: int, fi: Any = None) -> int:
        os.close(os.open(self._real(path), os.O_WRONLY | os.O_CREAT, mode))
        self.held.pop(path, None)
        return 0

    def unlink(self, path: str) -> int:
        os.unlink(self._real(path))
        self.held.pop(path, None)
        return 0

    def rename(self, old: str, new: str) -> int:
        os.rename(self._real(old), self._real(new))
        held = self.held.pop(old, None)
        if held is not None:
            self.held[new] = held
        return 0

    def mkdir(self, path: str, mode: int) -> int:
        os.mkdir(self._real(path), mode)
        return 0

    def rmdir(self, path: str) -> int:
        os.rmdir(self._real(path))
        return 0

    def readdir(self, path: str, fh: int) -> list[str]:
        return [".", "..", *os.listdir(self._real(path))]

    def chmod(self, path: str, mode: int) -> int:
        os.chmod(self._real(path), mode)
        return 0

    def chown(self, path: str, uid: int, gid: int) -> int:
        os.chown(self._real(path), uid, gid)
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        os.utime(self._real(path), ns=times)
        return 0

    def fsyncdir(self, path: str, datasync: int, fh: int) -> int:
        return 0  # names are in BACKING already

    def statfs(self, path: str) -> dict[str, int]:
        st = os.statvfs(self._real(path))
        keys = ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files",
                "f_flag", "f_frsize", "f_namemax")  # fmt: skip
        return {key: getattr(st, key) for key in keys}


def main(argv: list[str]) -> None:
    backing, mountpoint = argv
    fs = PowerCutFS(os.path.abspath(backing))
    signal.signal(signal.SIGUSR1, fs.fail)  # handled at the next call into Python
    fuse.FUSE(fs, mountpoint, foreground=True, nothreads=True)


if __name__ == "__main__":
    main(sys.argv[1:])
