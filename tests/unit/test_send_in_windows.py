"""_send_in_windows: a send resumed at an offset, handed to C a window at a
time (the path of both backends on PyPy), behaves as one send of the rest."""

from __future__ import annotations

from typing import List, Optional, Tuple

import pytest

from nspr_ctypes.backends._base import _SEND_WINDOW, _send_in_windows
from nspr_ctypes.error import PR_CONNECT_RESET_ERROR, NSPRError, nspr_error


class FakeKernel:
    """Takes at most ``room`` bytes, then would block or fails."""

    def __init__(self, room: int, then_fail: bool = False) -> None:
        self.room = room
        self.then_fail = then_fail
        self.calls: List[Tuple[int, int]] = []

    def send_window(self, start: int, size: int) -> Optional[int]:
        self.calls.append((start, size))
        if not self.room:
            if self.then_fail:
                raise nspr_error(PR_CONNECT_RESET_ERROR)
            return None
        taken = min(size, self.room)
        self.room -= taken
        return taken


LENGTH = 3 * _SEND_WINDOW + 100


def test_windows_follow_each_other_while_each_is_taken_whole() -> None:
    kernel = FakeKernel(room=LENGTH)
    assert _send_in_windows(kernel.send_window, LENGTH, 50) == LENGTH - 50
    assert kernel.calls == [
        (50, _SEND_WINDOW),
        (50 + _SEND_WINDOW, _SEND_WINDOW),
        (50 + 2 * _SEND_WINDOW, _SEND_WINDOW),
        (50 + 3 * _SEND_WINDOW, 50),
    ]


def test_a_short_window_ends_the_send() -> None:
    kernel = FakeKernel(room=_SEND_WINDOW + 10)
    assert _send_in_windows(kernel.send_window, LENGTH, 0) == _SEND_WINDOW + 10
    assert len(kernel.calls) == 2


def test_would_block_at_once_is_none() -> None:
    assert _send_in_windows(FakeKernel(room=0).send_window, LENGTH, 0) is None


def test_would_block_after_a_window_is_the_count_so_far() -> None:
    kernel = FakeKernel(room=_SEND_WINDOW)
    assert _send_in_windows(kernel.send_window, LENGTH, 0) == _SEND_WINDOW


def test_an_error_at_once_is_raised() -> None:
    kernel = FakeKernel(room=0, then_fail=True)
    with pytest.raises(NSPRError) as info:
        _send_in_windows(kernel.send_window, LENGTH, 0)
    assert info.value.errno == PR_CONNECT_RESET_ERROR


def test_an_error_after_a_window_is_the_count_so_far() -> None:
    # As a send(2) of the rest: the bytes taken are reported, the error
    # comes at the next send.
    kernel = FakeKernel(room=_SEND_WINDOW, then_fail=True)
    assert _send_in_windows(kernel.send_window, LENGTH, 0) == _SEND_WINDOW


def test_an_empty_rest_is_one_empty_send() -> None:
    kernel = FakeKernel(room=LENGTH)
    assert _send_in_windows(kernel.send_window, 0, 0) == 0
    assert kernel.calls == [(0, 0)]
