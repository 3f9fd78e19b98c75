"""Driving a real process through a pseudo-terminal, as a person at a keyboard would."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

PROMPT = "@Anime Club #general> "
"""The end of the sandbox's prompt (``alice@Anime Club #general> ``)."""


class Terminal:
    """A process whose stdin, stdout and stderr are one pseudo-terminal; read what it shows, type lines."""

    def __init__(self, args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 60.0) -> None:
        self.args = list(args)
        self.cwd = cwd
        self.env = dict(env)
        self.timeout = timeout
        self.output = ""  # everything shown so far (carriage returns removed)
        self._seen = 0
        self._buffer = b""
        self._master = -1
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Terminal:
        self._master, slave = pty.openpty()
        try:
            self._process = subprocess.Popen(self.args, stdin=slave, stdout=slave, stderr=slave, cwd=self.cwd,
                                             env=self.env, start_new_session=True)
        finally:
            os.close(slave)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(10)
        with contextlib.suppress(OSError):
            os.close(self._master)

    def _read(self, deadline: float) -> bool:
        """Read what is there (waiting until ``deadline``); False at end of output."""
        ready, _, _ = select.select([self._master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError(f"nothing more within {self.timeout} s; shown so far:\n{self.output}")
        try:
            chunk = os.read(self._master, 65536)
        except OSError:  # EIO: the process closed the terminal
            return False
        if not chunk:
            return False
        self._buffer += chunk
        self.output = self._buffer.decode("utf-8", errors="replace").replace("\r", "")
        return True

    def read_until(self, marker: str) -> str:
        """What the process shows from the last call up to and including ``marker``."""
        deadline = time.monotonic() + self.timeout
        while (found := self.output.find(marker, self._seen)) < 0:
            if not self._read(deadline):
                raise EOFError(f"the process ended before showing {marker!r}:\n{self.output}")
        end = found + len(marker)
        shown, self._seen = self.output[self._seen:end], end
        return shown

    def type(self, line: str) -> None:
        """Type ``line`` and Enter."""
        os.write(self._master, line.encode() + b"\n")

    def wait(self) -> int:
        """Read to the end of the output, then return the exit code."""
        assert self._process is not None
        deadline = time.monotonic() + self.timeout
        with contextlib.suppress(TimeoutError):
            while self._read(deadline):
                pass
        return self._process.wait(max(1.0, deadline - time.monotonic()))
