"""Running the mail stack's programs (slapd, Dovecot, postmap) from tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

COMMAND_TIMEOUT = 30.0


def which(name: str) -> str | None:
    """``shutil.which`` that also searches the sbin directories."""
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin" + os.pathsep + "/sbin"
    return shutil.which(name, path=path)


def run(
    command: Sequence[str], *, error: type[Exception], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, output captured; ``error`` when it hangs past ``COMMAND_TIMEOUT``."""
    try:
        return subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise error(f"{' '.join(command)} gave no answer within {COMMAND_TIMEOUT:g} s") from exc


def describe(command: Sequence[str], result: subprocess.CompletedProcess[str]) -> str:
    """A failed command with its exit status and output, for error messages."""
    return f"{' '.join(command)} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def kill_group(process: subprocess.Popen[bytes], directory: Path | None = None, term_grace: float = 10.0) -> None:
    """Stop a process started with ``start_new_session`` and all its children.

    SIGTERM goes to the whole process group (to the master alone, Dovecot
    waits seconds for its children), SIGKILL follows if anything hangs;
    ``directory`` is removed afterwards.
    """
    for sig, grace in ((signal.SIGTERM, term_grace), (signal.SIGKILL, 10.0)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
