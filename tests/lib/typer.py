"""Runs a command in a pseudo-terminal and types a password at its
"Password:" prompt, for clients that read a password only from a terminal
(ctr --user USER, buildah --creds USER).

usage: typer.py [--timeout SECS] --password-file FILE -- CMD [ARGS...]
       typer.py [--timeout SECS] --json FILE FIELD -- CMD [ARGS...]

The password comes from FILE (its content without one trailing newline) or
from the string FIELD of the JSON object in FILE: never from argv or the
environment. The command's output (stdout and stderr, through the terminal)
is printed with every occurrence of the password replaced by "<redacted>".
Exit status: the command's, 124 when it ran longer than SECS (default 60;
it is then killed), 2 on a usage error.
"""
import json
import os
import pty
import select
import signal
import sys
import time

PROMPT = b"assword"
MAX_ANSWERS = 3   # a client that keeps asking has rejected the password


def usage(msg):
    sys.stderr.write("typer.py: %s\n" % msg)
    sys.exit(2)


def parse_args(argv):
    timeout, password = 60.0, None
    i = 0
    while i < len(argv) and argv[i] != "--":
        a = argv[i]
        if a == "--timeout" and i + 1 < len(argv):
            timeout = float(argv[i + 1]); i += 2
        elif a == "--password-file" and i + 1 < len(argv):
            with open(argv[i + 1], "rb") as f:
                password = f.read()
            if password.endswith(b"\n"):
                password = password[:-1]
            i += 2
        elif a == "--json" and i + 2 < len(argv):
            with open(argv[i + 1], encoding="utf-8") as f:
                value = json.load(f).get(argv[i + 2])
            if not isinstance(value, str):
                usage("%s has no string field %s" % (argv[i + 1], argv[i + 2]))
            password = value.encode()
            i += 3
        else:
            usage("unknown or incomplete option %r" % a)
    cmd = argv[i + 1:]
    if password is None or not password or not cmd:
        usage("a non-empty password source and a command after -- are required")
    if b"\n" in password or b"\r" in password:
        usage("the password contains a line break")
    return timeout, password, cmd


def main():
    try:
        timeout, password, cmd = parse_args(sys.argv[1:])
    except (OSError, ValueError) as e:    # JSONDecodeError is a ValueError
        usage("reading the password: %s" % e)
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, ("typer.py: %s: %s\n" % (cmd[0], e.strerror)).encode())
        os._exit(127)

    out = b""
    typed = 0
    scanned = 0    # prompts before this offset have been answered
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:    # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        at = out.find(PROMPT, scanned)
        if at >= 0 and typed < MAX_ANSWERS:
            scanned = at + len(PROMPT)
            os.write(fd, password + b"\n")
            typed += 1

    status = None
    while not timed_out:    # the terminal is closed; wait for the exit
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() >= deadline:
            timed_out = True
        time.sleep(0.02)
    if timed_out:
        try:
            os.killpg(pid, signal.SIGKILL)    # pty.fork made it a session leader
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    sys.stdout.buffer.write(out.replace(password, b"<redacted>"))
    sys.stdout.flush()
    if timed_out:
        sys.stderr.write("typer.py: %s timed out after %gs\n" % (cmd[0], timeout))
        sys.exit(124)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
