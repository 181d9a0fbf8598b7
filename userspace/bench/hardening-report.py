#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""results/hardening.json from what tests/run-stress.sh left in results/.

Reads, for each step that ran (results/stress/STEP.rc and STEP.log):
  fuzz        the "fuzz NAME: N executions in S s" lines of run-fuzz.sh
  starvation  results/lab/host-starvation/starvation.json (the guest's figures)
  faults      the XOT-PASS/XOT-FAIL lines of the host lab
  reconnect   the Xen lab's checks, and xot-blkback's view after the restore
  hostile     the Xen lab's checks and every *.json the scenario wrote
  lockdep-*   the lockdep kernel's build, and the host-lab scenarios on it
Prints one JSON document (format: RESULTS.md of the project's notes).
"""
import argparse
import glob
import json
import os
import platform
import re
import sys


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return None


def checks(log):
    """Pass/fail names from a lab log (host: 'XOT-PASS n', Xen: 'dom0: XOT-PASS n')."""
    out = {"passed": [], "failed": []}
    for line in (log or "").splitlines():
        m = re.match(r"^(?:(?:dom0|domU\d+): )?XOT-(PASS|FAIL) ([^ :]+)", line)
        if m:
            out["passed" if m.group(1) == "PASS" else "failed"].append(m.group(2))
    return out


def step_base(res, name):
    rc = read(os.path.join(res, "stress", name + ".rc"))
    log = read(os.path.join(res, "stress", name + ".log"))
    if rc is None:
        return None, None
    return {"ran": True, "exit_code": int(rc.strip() or 1)}, log


def fuzz(res):
    d, log = step_base(res, "fuzz")
    if d is None:
        return None
    d["harnesses"] = []
    for m in re.finditer(r"^fuzz (\S+): (\d+) executions in (\d+) s, no crash", log, re.M):
        d["harnesses"].append({"name": m.group(1), "executions": int(m.group(2)),
                               "seconds": int(m.group(3)), "crashes": 0})
    d["crashes"] = len(re.findall(r"^fuzz \S+: CRASH", log, re.M))
    d["executions"] = sum(h["executions"] for h in d["harnesses"])
    return d


def lab(res, name, outdir):
    d, log = step_base(res, name)
    if d is None:
        return None
    c = checks(log)
    d["checks_passed"] = len(c["passed"])
    d["checks_failed"] = c["failed"]
    d["results_dir"] = os.path.relpath(outdir, os.path.dirname(res))
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="the results/ directory")
    ap.add_argument("--commit", default="unknown")
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--steps", default="")
    ap.add_argument("--params", default="")
    a = ap.parse_args()
    res = a.results
    doc = {
        "benchmark": "hardening",
        "command": "make stress",
        "commit": a.commit,
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                    "note": "labs under QEMU TCG"},
        "parameters": dict(kv.split("=", 1) for kv in a.params.split() if "=" in kv),
        "seconds": a.seconds,
        "steps": {},
    }
    s = doc["steps"]
    s["fuzz"] = fuzz(res)
    s["starvation"] = lab(res, "starvation", os.path.join(res, "lab", "host-starvation"))
    if s["starvation"]:
        fig = read(os.path.join(res, "lab", "host-starvation", "starvation.json"))
        try:
            s["starvation"]["figures"] = json.loads(fig) if fig else None
        except ValueError:
            s["starvation"]["figures"] = None
    s["faults"] = lab(res, "faults", os.path.join(res, "lab", "host-faults"))
    s["reconnect"] = lab(res, "reconnect", os.path.join(res, "lab", "xen-reconnect"))
    s["hostile"] = lab(res, "hostile", os.path.join(res, "lab", "xen-hostile"))
    if s["hostile"]:
        figs = {}
        for f in sorted(glob.glob(os.path.join(res, "lab", "xen-hostile", "**", "*.json"),
                                  recursive=True)):
            try:
                figs[os.path.relpath(f, os.path.join(res, "lab", "xen-hostile"))] = \
                    json.loads(read(f))
            except (ValueError, TypeError):
                pass
        s["hostile"]["figures"] = figs
    s["lockdep-kernel"], _ = step_base(res, "lockdep-kernel")
    for sc in ("iomax-newcg", "flush", "cgroup-weights"):
        s["lockdep-" + sc] = lab(res, "lockdep-" + sc,
                                 os.path.join(res, "lab", "host-lockdep-" + sc))
    for k in [k for k, v in s.items() if v is None]:
        del s[k]

    # Summary: every figure the issue asks for, or null where a step did not run.
    st = s.get("starvation", {}).get("figures") or {}
    ran = [k for k in s]
    doc["summary"] = {
        "steps_run": ran,
        "steps_failed": [k for k in ran if s[k]["exit_code"] != 0],
        "fuzz_executions": s["fuzz"]["executions"] if "fuzz" in s else None,
        "fuzz_crashes": s["fuzz"]["crashes"] if "fuzz" in s else None,
        "starvation_max_wait_dispatches": (st.get("lo_wait_dispatches") or {}).get("max"),
        "starvation_bound_dispatches": st.get("documented_bound_dispatches"),
        # verified I/O (fio crc32c) passed in every lab step that ran: nothing lost
        "io_lost": 0 if all(s[k]["exit_code"] == 0 for k in ran if k != "fuzz") else None,
    }
    json.dump(doc, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
