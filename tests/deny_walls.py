"""Run a command on a machine that denies a wall, as GitHub's runners, Docker, Kaggle and Colab do.

    python tests/deny_walls.py namespaces COMMAND...   # unshare, setns, clone with namespace flags: EPERM
    python tests/deny_walls.py seccomp COMMAND...      # seccomp(2) and prctl(PR_SET_SECCOMP): EPERM

It loads a seccomp filter into itself (inherited by everything the command starts, for good)
and execs the command. ``clone3``, whose flags a filter cannot read, fails with ENOSYS, so the
C library falls back to ``clone`` for threads, as under Docker. Exit status 125 when the
filter cannot be loaded here (no libseccomp, no seccomp): a test then skips.
"""

from __future__ import annotations

import errno
import os
import sys

NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
PR_SET_SECCOMP = 22
CANNOT = 125


def deny(wall: str) -> None:
    import pyseccomp as sc

    rules = sc.SyscallFilter(sc.ALLOW)
    denied = sc.ERRNO(errno.EPERM)
    if wall == "namespaces":
        for name in ("unshare", "setns"):
            rules.add_rule(denied, name)
        for flag in NAMESPACE_FLAGS:
            rules.add_rule(denied, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
        rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    elif wall == "seccomp":
        rules.add_rule(denied, "seccomp")
        rules.add_rule(denied, "prctl", sc.Arg(0, sc.EQ, PR_SET_SECCOMP))
    else:
        raise SystemExit(f"unknown wall {wall!r}: namespaces or seccomp")
    rules.load()


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit(__doc__)
    try:
        deny(argv[0])
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        print(f"deny_walls: cannot load the filter here: {exc}", file=sys.stderr)
        raise SystemExit(CANNOT) from None
    os.execvp(argv[1], argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
