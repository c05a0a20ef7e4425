"""The loading machinery: registry functions, Diagnosis, loading errors (see usage_support)."""

from __future__ import annotations

from typing import Callable, List, Literal, Optional, Tuple

from usage_support import assert_type

import nspr_ctypes
from nspr_ctypes import backends
from nspr_ctypes.backends import errors


def registry(backend: nspr_ctypes.Backend) -> None:
    assert_type(nspr_ctypes.__version__, str)
    assert_type(backends.ENTRY_POINT_GROUP, Literal["nspr_ctypes.backends"])
    assert_type(nspr_ctypes.available_backends(), List[str])
    assert_type(nspr_ctypes.load_backend("stdlib"), nspr_ctypes.Backend)
    assert_type(
        nspr_ctypes.load_backend(
            "nspr", library="/usr/lib/libnspr4.so", min_version="4.20"
        ),
        nspr_ctypes.Backend,
    )
    assert_type(nspr_ctypes.use_backend("stdlib"), nspr_ctypes.Backend)
    assert_type(nspr_ctypes.use_backend(backend), nspr_ctypes.Backend)
    assert_type(
        nspr_ctypes.use_backend("nspr", library="/usr/lib/libnspr4.so"),
        nspr_ctypes.Backend,
    )
    assert_type(nspr_ctypes.get_backend(), nspr_ctypes.Backend)
    with backends.using_backend(backend) as chosen:
        assert_type(chosen, backends.Backend)
    with backends.using_backend("nspr", library="/usr/lib/libnspr4.so") as chosen:
        assert_type(chosen, backends.Backend)
    assert_type(backends.get_backend(), backends.Backend)
    nspr_ctypes.use_backend(None)  # type: ignore[arg-type]
    # library and min_version are keyword-only.
    _positional: Callable[[str, str], nspr_ctypes.Backend] = nspr_ctypes.load_backend  # type: ignore[assignment]


def backend_description(backend: nspr_ctypes.Backend) -> None:
    assert_type(backend.name, str)
    assert_type(backend.library_path, Optional[str])
    assert_type(backend.version, Optional[str])
    assert_type(backend.describe(), str)
    assert_type(backend.ticks_per_second(), int)
    assert_type(backend.interval_now(), int)


def sending_primitive(backend: nspr_ctypes.Backend) -> None:
    # The one primitive with a default: send_at(handle, data, offset).
    handle = backend.open_socket(2, 2)
    assert_type(backend.send_at(handle, b"data", 2, 0), Optional[int])
    backend.send_at(handle, memoryview(b"data"), 2, 0)  # type: ignore[arg-type]


def prepared_poll(backend: nspr_ctypes.Backend) -> None:
    handle = backend.open_socket(2, 2)
    poll_set = backend.poll_set([(handle, 1), (None, 0)])
    assert_type(poll_set, backends.PollSet)
    assert_type(poll_set.poll(100), Optional[Tuple[int, ...]])
    assert_type(backend.poll([(handle, 1)], 0), Tuple[int, List[int]])
    poll_set.poll(0.5)  # type: ignore[arg-type]
    assert_type(backend.set_nonblocking(handle, True), None)


def diagnosis() -> None:
    found = nspr_ctypes.diagnose()
    assert_type(found, nspr_ctypes.Diagnosis)
    assert_type(found.chosen, Optional[nspr_ctypes.Backend])
    assert_type(found.candidates, Tuple[backends.Candidate, ...])
    assert_type(found.environment, Tuple[Tuple[str, Optional[str]], ...])
    chosen, candidates, environment = found
    assert_type(chosen, Optional[nspr_ctypes.Backend])
    for candidate in candidates:
        assert_type(candidate.name, str)
        assert_type(candidate.origin, str)
        assert_type(candidate.priority, int)
        assert_type(candidate.status, str)
        assert_type(candidate.reason, str)
        assert_type(candidate.library_path, Optional[str])
        assert_type(candidate.version, Optional[str])
    for variable, value in environment:
        assert_type(variable, str)
        assert_type(value, Optional[str])
    assert_type(str(found), str)
    found.chosen = None  # type: ignore[misc]


def loading_errors() -> None:
    try:
        nspr_ctypes.use_backend("nspr")
    except nspr_ctypes.LibraryTooOld as exc:
        assert_type(exc, nspr_ctypes.LibraryTooOld)
    except nspr_ctypes.BackendError as exc:
        assert_type(exc.reason, str)
        assert_type(exc.attempts, List[str])
    failures: List[ImportError] = [
        nspr_ctypes.BackendError("no backend"),
        nspr_ctypes.UnknownBackend("no backend named x", ["x: not registered"]),
        nspr_ctypes.BackendUnavailable("cannot load", ("a", "b")),
        nspr_ctypes.LibraryNotFound("no libnspr4"),
        nspr_ctypes.LibraryLoadFailed("refused"),
        nspr_ctypes.LibraryIncompatible("not NSPR"),
        nspr_ctypes.LibraryTooOld("too old"),
    ]
    assert_type(failures, List[ImportError])
    # The same classes, from the module that defines them.
    unavailable: errors.BackendUnavailable = errors.LibraryNotFound("no libnspr4")
    assert_type(unavailable.attempts, List[str])
    _not_found: errors.LibraryNotFound = errors.BackendUnavailable("x")  # type: ignore[assignment]
    errors.BackendError(["attempt"])  # type: ignore[arg-type]
