#!/usr/bin/env python3
"""Runs one case of the bad-input suite (cases.txt) and checks its outcome.

  run_case.py CADRE CASES_FILE NAME SCRATCH_DIR

A case is a block of lines in cases.txt (docs/development.md):

  case NAME          the test's name (ctest: badinput.NAME)
  run ARGS...        cadre's arguments, split as a shell would split them;
                     {inputs} is tests/badinput/inputs, {tmp} an empty scratch
                     directory that is also the working directory, {byte:HH}
                     the byte 0xHH (80-ff: an argument that is not UTF-8)
  exit N             the exit status cadre must end with
  error REGEX        a pattern stderr must match (Python re.search)
  output REGEX       optional: a pattern stdout must match
  stdout WHERE       optional: stdout to /dev/full, or `closed`
  stderr WHERE       optional: the same for stderr (then `error` is not checked)
  timeout SECONDS    optional, default 60: past it the case fails as a hang
  memory MIB         optional: the most memory (peak resident set) cadre may use

Passes when the exit status is N (a signal never passes), stderr matches and
the peak memory is within the bound.
"""
import os
import pathlib
import re
import resource
import shlex
import shutil
import subprocess
import sys

KEYS = {"case", "run", "exit", "error", "output", "stdout", "stderr", "timeout", "memory"}


def parse(path):
    cases, case = {}, None
    for number, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        if key not in KEYS:
            sys.exit(f"{path}:{number}: unknown key '{key}' (known: {', '.join(sorted(KEYS))})")
        if key == "case":
            case = cases.setdefault(value, {"line": number})
        elif case is None:
            sys.exit(f"{path}:{number}: '{key}' before the first 'case'")
        else:
            case[key] = value
    return cases


def stream(where):
    if where is None:
        return subprocess.PIPE
    if where == "closed":
        return subprocess.DEVNULL  # replaced by a closed descriptor in preexec
    return open(where, "wb")


def main():
    cadre, cases_file, name, scratch = sys.argv[1:5]
    case = parse(cases_file).get(name)
    if case is None:
        sys.exit(f"{cases_file}: no case '{name}'")
    for key in ("run", "exit"):
        if key not in case:
            sys.exit(f"{cases_file}:{case['line']}: case '{name}' has no '{key}'")
    inputs = pathlib.Path(cases_file).resolve().parent / "inputs"
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    # A byte of 0x80-0xff as the surrogate that os.fsencode turns back into it.
    args = [re.sub(r"\{byte:([89a-f][0-9a-f])\}", lambda m: chr(0xDC00 + int(m.group(1), 16)),
                   a.replace("{inputs}", str(inputs)).replace("{tmp}", scratch)) for a in shlex.split(case["run"])]
    closed = [fd for fd, key in ((1, "stdout"), (2, "stderr")) if case.get(key) == "closed"]

    def close_streams():
        for fd in closed:
            os.close(fd)

    try:
        result = subprocess.run([cadre] + args, cwd=scratch, stdin=subprocess.DEVNULL, stdout=stream(case.get("stdout")),
                                stderr=stream(case.get("stderr")), preexec_fn=close_streams,
                                timeout=float(case.get("timeout", 60)))
    except subprocess.TimeoutExpired:
        sys.exit(f"FAIL {name}: still running after {case.get('timeout', 60)} s (cadre {' '.join(map(ascii, args))})")
    stderr = result.stderr.decode(errors="replace") if result.stderr is not None else ""
    stdout = result.stdout.decode(errors="replace") if result.stdout is not None else ""
    print(f"cadre {' '.join(map(ascii, args))}\nexit {result.returncode}\nstderr:\n{stderr}")
    want = int(case["exit"])
    if result.returncode != want:
        what = f"signal {-result.returncode}" if result.returncode < 0 else f"exit {result.returncode}"
        sys.exit(f"FAIL {name}: {what}, expected exit {want}")
    if "error" in case and "stderr" not in case and not re.search(case["error"], stderr):
        sys.exit(f"FAIL {name}: stderr does not match /{case['error']}/")
    if "output" in case and not re.search(case["output"], stdout):
        sys.exit(f"FAIL {name}: stdout does not match /{case['output']}/:\n{stdout[:2000]}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory {peak_mib:.0f} MiB")
    if "memory" in case and peak_mib > float(case["memory"]):
        sys.exit(f"FAIL {name}: peak memory {peak_mib:.0f} MiB, more than {case['memory']} MiB")
    print(f"PASS {name}")


if __name__ == "__main__":
    main()
