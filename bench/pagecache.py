"""How much of a file the page cache holds (mincore(2) over a mapping of it).

bench/run.py warms the page cache with each capture before timing it, but
a virtual machine's kernel may drop the pages all the same (one of the
project's machines kept 361 of a capture's 362 MB with 22 GB free): a run
that reads some of the file from the disk again is slower and noisier, so
the bench says how much stayed (docs/performance.md, method item 3).
"""
import ctypes
import mmap
import os

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
_MAP_FAILED = ctypes.c_void_p(-1).value


def resident(path):
    """(bytes of path in the page cache, its size), counted by whole pages and
    capped at the size; None where mmap or mincore refuse (another kind of
    file, another system)."""
    size = os.path.getsize(path)
    if size == 0:
        return 0, 0
    page = mmap.PAGESIZE
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr is None or addr == _MAP_FAILED:
            return None
        try:
            vec = ctypes.create_string_buffer((size + page - 1) // page)
            if _libc.mincore(addr, size, vec) != 0:
                return None
            pages = sum(b & 1 for b in vec.raw)
        finally:
            _libc.munmap(addr, size)
    finally:
        os.close(fd)
    return min(pages * page, size), size
