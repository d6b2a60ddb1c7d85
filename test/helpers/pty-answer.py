"""Runs a command on a pseudo-terminal (with a real width), waits for a prompt, types an answer.

Usage: pty-answer.py PROMPT ANSWER -- COMMAND...
Prints everything the command wrote and exits with its exit code. Used by the tests of
`hrep apply`'s approval question, which is only asked on a terminal.
"""
import os
import pty
import struct
import sys
import fcntl
import termios

prompt = sys.argv[1].encode()
answer = sys.argv[2].encode()
command = sys.argv[sys.argv.index("--") + 1:]

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
seen = b""
answered = False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not answered and prompt in seen:
        os.write(fd, answer + b"\n")
        answered = True
sys.stdout.buffer.write(seen)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
