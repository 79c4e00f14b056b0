"""Make oscrypto 1.3.0 importable with OpenSSL 3.0.x.

oscrypto 1.3.0 finds the libcrypto version with the regex ``\\b(\\d\\.\\d\\.\\d[a-z]*)\\b``, which
does not match "OpenSSL 3.0.19" (two-digit patch number), and then refuses to load. This module
installs an import hook that rewrites that one regex in memory, in the two modules that contain
it, before they execute. site-packages is never modified. Import this module before pyas2lib.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import sys

_BROKEN = "'\\\\b(\\\\d\\\\.\\\\d\\\\.\\\\d[a-z]*)\\\\b'"
_FIXED = "'\\\\b(\\\\d+\\\\.\\\\d+\\\\.\\\\d+[a-z]*)\\\\b'"
_TARGETS = ("oscrypto._openssl._libcrypto_cffi", "oscrypto._openssl._libcrypto_ctypes")


class _PatchingLoader(importlib.machinery.SourceFileLoader):
    """Loads the module's source with the version regex replaced."""

    def get_data(self, path):
        data = super().get_data(path)
        if path.endswith(".py"):
            text = data.decode("utf-8")
            if _BROKEN not in text:
                raise ImportError(f"oscrypto_fix: version regex not found in {path}")
            data = text.replace(_BROKEN, _FIXED).encode("utf-8")
        return data

    def path_stats(self, path):
        # No bytecode cache: it would hold the unpatched code on the next run.
        raise OSError("no bytecode cache for patched modules")


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname not in _TARGETS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        loader = _PatchingLoader(fullname, spec.origin)
        return importlib.util.spec_from_file_location(fullname, spec.origin, loader=loader)


def install():
    """Install the hook once (idempotent)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


install()
