#!/usr/bin/env python3
"""Runs each cadre command twice and checks the two runs are byte-identical:
stdout, and every file the command writes (traces, dumps, reports, ELF),
except the wall-clock figures, which live in the top-level "wall_clock" object
of a JSON report and are the only part left out of the comparison.

  rerun_identical.py CADRE SCRATCH_DIR PROGRAM_DIR

PROGRAM_DIR holds the simulator tests' programs (multitile.elf); an empty
argument or a missing program skips the sim command.
"""
import filecmp
import json
import os
import shutil
import subprocess
import sys

LAYER = ["mixtral-8x7b", "--set", "hidden_size=128", "--set", "intermediate_size=128", "--arch", "small",
         "--phase", "decode", "--tokens", "2"]
SMALL_GPU = ["mixtral-8x7b", "--set", "hidden_size=16", "--set", "intermediate_size=16", "--phase", "decode",
             "--tokens", "1"]


def commands(program_dir):
    out = [
        ["isa", "--json"],
        ["arch", "--json"],
        ["gpu-model", "--json"],
        ["gpu"] + SMALL_GPU + ["--check", "--json", "--dump", "dump"],
        ["compile"] + LAYER + ["--emit", "elf", "-o", "layer.elf", "--json"],
        ["compile"] + LAYER + ["--emit", "asm"],
        ["run"] + LAYER + ["--check", "--json", "--trace", "trace.json"],
        ["compare"] + LAYER + ["--json", "--report", "report"],
    ]
    program = os.path.join(program_dir, "multitile.elf") if program_dir else ""
    if program and os.path.exists(program):
        out.append(["sim", program, "--arch", "small", "--json", "--trace", "trace.json"])
        out.append(["disasm", program, "--json"])
    return out


def without_wall_clock(text):
    try:
        report = json.loads(text)
    except ValueError:
        return text
    if isinstance(report, dict):
        report.pop("wall_clock", None)
    return json.dumps(report, indent=2)


def main():
    cadre, scratch, program_dir = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3]) if sys.argv[3] else ""
    failures = []
    for args in commands(program_dir):
        runs = []
        for n in (1, 2):
            cwd = os.path.join(scratch, args[0], str(n))
            shutil.rmtree(cwd, ignore_errors=True)
            os.makedirs(cwd)
            r = subprocess.run([cadre] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if r.returncode != 0:
                failures.append(f"cadre {' '.join(args)}: exit {r.returncode}: {r.stderr.decode()[-500:]}")
            runs.append((cwd, r.stdout.decode()))
        (dir1, out1), (dir2, out2) = runs
        if without_wall_clock(out1) != without_wall_clock(out2):
            failures.append(f"cadre {' '.join(args)}: stdout differs outside wall_clock")
        compared = filecmp.dircmp(dir1, dir2)
        pending = [compared]
        while pending:
            d = pending.pop()
            for name in d.left_only + d.right_only + d.diff_files + d.funny_files:
                failures.append(f"cadre {' '.join(args)}: {os.path.join(d.left, name)} differs between runs")
            # dircmp compares contents shallowly by size and time: compare every byte.
            for name in d.same_files:
                if not filecmp.cmp(os.path.join(d.left, name), os.path.join(d.right, name), shallow=False):
                    failures.append(f"cadre {' '.join(args)}: {os.path.join(d.left, name)} differs between runs")
            pending.extend(d.subdirs.values())
        print(f"cadre {' '.join(args)}: compared")
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
