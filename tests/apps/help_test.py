#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every program `meson install` installs answers --help (usage on stdout,
exit 0) and --version ("NAME VERSION" on stdout, exit 0), and refuses an
unknown option with a message on stderr and exit 2.
Usage: help_test.py BUILD_DIR. The list of programs is checked against
`meson introspect --installed`, so a newly installed program without an
entry here fails the test."""
import json
import os
import subprocess
import sys

BUILD = os.path.abspath(sys.argv[1])
TAG = "ht%d" % os.getpid()
# A DPDK app's EAL args for the cases that get past rte_eal_init.
EAL = ["--no-huge", "-m", "64", "--no-pci", "--file-prefix", TAG,
       "--log-level=error"]

# name: (path in the build dir, takes EAL args, an option only its usage names)
PROGRAMS = {
    "ivshmem-fwd": ("apps/ivshmem-fwd", True, "--forward-mode"),
    "ivshmem-perf": ("apps/ivshmem-perf", True, "--role"),
    "ivshmem-stat": ("apps/ivshmem-stat", False, "--shm"),
    "ivshmem-server": ("host/ivshmem-server", False, "-S"),
    "ivshmem-client": ("host/ivshmem-client", False, "-S"),
    "ivshmem-frames": ("examples/ivshmem-frames", False, "--port"),
}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args):
    p = subprocess.run(args, capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def project_version():
    out = subprocess.run(["meson", "introspect", "--projectinfo", BUILD],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["version"]


def installed_programs():
    out = subprocess.run(["meson", "introspect", "--installed", BUILD],
                         capture_output=True, text=True, check=True).stdout
    return sorted(os.path.basename(dst) for dst in json.loads(out).values()
                  if os.path.dirname(dst).endswith("/bin"))


def check_help(name, argv, marker):
    rc, out, err = run(argv)
    what = "%s: %s" % (name, " ".join(argv[1:]))
    check(rc == 0, "%s exits %d, not 0 (stderr: %s)" % (what, rc, err[-200:]))
    check("usage" in out.lower(), "%s: no usage on stdout" % what)
    check(marker in out, "%s: usage on stdout does not name %s" % (what, marker))
    for word in ("invalid option", "unrecognized", "bad arguments"):
        check(word not in err, "%s: stderr says '%s'" % (what, word))


def check_version(name, path, version):
    rc, out, _ = run([path, "--version"])
    check(rc == 0, "%s --version exits %d" % (name, rc))
    first = out.splitlines()[0] if out else ""
    check(first.startswith("%s %s" % (name, version)),
          "%s --version prints %r, not '%s %s'" % (name, first, name, version))


def check_bad_option(name, path, eal):
    argv = [path] + (EAL + ["--"] if eal else []) + ["--no-such-option"]
    rc, out, err = run(argv)
    check(rc == 2, "%s --no-such-option exits %d, not 2" % (name, rc))
    check("no-such-option" in err, "%s: stderr does not name the bad option" % name)
    check("usage" not in out.lower(), "%s: usage on stdout for a bad option" % name)


def main():
    version = project_version()
    missing = [p for p in installed_programs() if p not in PROGRAMS]
    check(not missing, "installed programs without a --help test: %s" % missing)
    for name, (rel, eal, marker) in PROGRAMS.items():
        path = os.path.join(BUILD, rel)
        if eal:
            # after "--": answered before EAL starts (works without hugepages)
            check_help(name, [path, "--", "--help"], marker)
            # EAL's own --help lists the app's options as well
            check_help(name, [path, "--help"], marker)
            check_help(name, [path] + EAL + ["--", "--help"], marker)
        else:
            check_help(name, [path, "--help"], marker)
            check_help(name, [path, "-h"], marker)
        check_version(name, path, version)
        check_bad_option(name, path, eal)
        print("ok: %s" % name)
    subprocess.run(["rm", "-rf", "/var/run/dpdk/" + TAG])
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("PASS: %d programs answer --help, --version and refuse a bad option"
          % len(PROGRAMS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
