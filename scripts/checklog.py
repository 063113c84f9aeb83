"""Read an Odoo test log and print "<passed> <failed>" for scripts/test.sh.

Like OCA's ``oca_checklog_odoo``, a run fails when the log holds a WARNING,
ERROR or CRITICAL line that is not in the short list of known, harmless ones
below, or a skipped test (a tour skipped for want of Chromium must not pass
unnoticed). Offending lines are printed on stderr.
"""

import re
import sys

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<msg>.*)$"
)
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
# Known and harmless: Odoo's own notices about how it was started.
IGNORED = [re.compile(p) for p in (r"Running as user 'root' is a security risk",)]


def main(path):
    bad = []
    failed = errors = run = None
    with open(path, encoding="utf-8", errors="replace") as log:
        for raw in log:
            line = raw.rstrip("\n")
            match = LINE.match(line)
            if not match:
                continue
            msg = match["msg"]
            if match["logger"] == "odoo.tests.result":
                result = RESULT.search(msg)
                if result:
                    failed, errors, run = map(int, result.groups())
                    if failed or errors:
                        bad.append(line)
                    continue
            if match["level"] in ("WARNING", "ERROR", "CRITICAL"):
                if not any(p.search(msg) for p in IGNORED):
                    bad.append(line)
            elif msg.startswith("skipped "):
                bad.append(line)
    if run is None:
        print("checklog: no test result in the log (did Odoo start?)", file=sys.stderr)
        print("0 1")
        return
    for line in bad:
        print(f"checklog: {line}", file=sys.stderr)
    passed = run - failed - errors
    # Every unexpected log line counts as a failure of its own.
    extra = len(
        [
            b
            for b in bad
            if "odoo.tests.result" not in b
            and " FAIL: " not in b
            and " ERROR: " not in b
        ]
    )
    print(passed, failed + errors + extra)


if __name__ == "__main__":
    main(sys.argv[1])
