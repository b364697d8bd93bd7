"""pandas_common.py: what the pandas comparisons of the analyses share (tests/analyses*_test.py).

The oracle side follows the notebooks: tshark -T fields into pandas, then pandas verbs. The
pktframe side runs an example (`pktframe run examples/X.lua CAP --out DIR`) and reads the CSV
it wrote. Cells are compared exactly for integers, text and times (as integer nanoseconds,
parsed from the text on both sides, never through floats), and within 1e-9 relative for floats.

    from pandas_common import Suite, tshark_fields, run_example, read_out, compare
    suite = Suite("analyses")
    df = tshark_fields(cap, ["frame.time_epoch", "frame.len"])
    out = run_example(pktframe, "examples/bandwidth.lua", cap, ["--interval", "1s"], tmpdir)
    compare(suite, "bandwidth " + name, read_out(out, "bandwidth"), want,
            {"time": "time", "packets": "int", "bytes": "int", "bits_per_second": "float"})
    suite.finish()          # prints "N passed, M failed"; exit status 1 on a failure

No shell is used: every command is an argument list.
"""
import math
import os
import subprocess
import sys

try:
    import pandas as pd
except ImportError:          # the callers print "skipped: ..." and pass
    pd = None

TIMEOUT = 600


class Suite:
    """Counts checks and prints "ok"/"FAIL" lines and the final "N passed, M failed"."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def ok(self, what):
        self.passed += 1
        print("ok   " + what)

    def fail(self, what, detail=""):
        self.failed += 1
        print("FAIL " + what)
        for line in str(detail).splitlines()[:20]:
            print("     " + line)

    def check(self, cond, what, detail=""):
        if cond:
            self.ok(what)
        else:
            self.fail(what, detail)

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def skip(name, why):
    """Prints the reason and a zero result line, and exits 0."""
    print("skipped: " + why)
    print("%s: 0 passed, 0 failed" % name)
    sys.exit(0)


def tshark_fields(cap, fields, display_filter=None, occurrence="f"):
    """tshark -r CAP -T fields -E header=y -e F... [-Y FILTER] as a DataFrame of text cells
    ('' for an absent field), one column per field, in frame order."""
    cmd = ["tshark", "-r", cap, "-n", "-T", "fields", "-E", "header=y", "-E", "separator=/t",
           "-E", "occurrence=" + occurrence, "-E", "aggregator=,"]
    if display_filter:
        cmd += ["-Y", display_filter]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    if p.returncode != 0 and not p.stdout:
        raise RuntimeError("tshark failed on %s: %s" % (cap, p.stderr.decode(errors="replace")[:300]))
    lines = p.stdout.decode("utf-8", errors="replace").split("\n")
    header = lines[0].split("\t")
    rows = [l.split("\t") for l in lines[1:] if l != ""]
    return pd.DataFrame(rows, columns=header, dtype=object)


def time_ns(text):
    """'1367526033.491822000' (or '-0.5', '12') as integer nanoseconds, exactly."""
    text = str(text).strip()
    neg = text.startswith("-")
    if neg:
        text = text[1:]
    whole, _, frac = text.partition(".")
    ns = int(whole or "0") * 1000000000 + int((frac + "000000000")[:9])
    return -ns if neg else ns


def run_example(pktframe, script, cap, args, outdir):
    """Runs `pktframe run -q SCRIPT CAP ARGS... --out OUTDIR`; returns (stdout text, outdir).
    Raises RuntimeError with the script's stderr when it fails."""
    os.makedirs(outdir, exist_ok=True)
    cmd = [pktframe, "run", "-q", script, cap] + list(args) + ["--out", outdir]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode,
                                               p.stderr.decode(errors="replace")[:600]))
    return p.stdout.decode("utf-8", errors="replace"), outdir


def read_out(outdir, name):
    """The CSV an example wrote (DIR/NAME.csv) as a DataFrame of text cells ('' for null)."""
    return pd.read_csv(os.path.join(outdir, name + ".csv"), dtype=str, keep_default_na=False)


def _cell(kind, v):
    """A cell (text from a CSV, or a Python value from pandas) as the kind compares it."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str) and v == "":
        return None
    if kind == "int":
        return int(v) if not isinstance(v, str) else int(v.strip())
    if kind == "float":
        return float(v)
    if kind in ("time", "reltime"):
        if isinstance(v, str):
            return time_ns(v)
        return int(v)
    return str(v)


def _same(kind, a, b):
    if a is None or b is None:
        return a is None and b is None
    if kind == "float":
        if a == b:
            return True
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def compare(suite, what, got, want, kinds):
    """Compares DataFrame got (text cells, as read_out gives) with want (Python values: ints,
    floats, strings, times as integer ns) on the columns of kinds {column: "int" | "float" |
    "str" | "time" | "reltime"}: the same number of rows, and row by row, in order, the same
    values. One check: passes, or fails naming the first differences."""
    missing = [c for c in kinds if c not in got.columns or c not in want.columns]
    if missing:
        suite.fail(what, "columns missing: %s (got %s, want %s)" % (missing, list(got.columns), list(want.columns)))
        return False
    if len(got) != len(want):
        suite.fail(what, "%d rows, expected %d\ngot head:\n%s\nwant head:\n%s" % (
            len(got), len(want), got.head(5).to_string(), want.head(5).to_string()))
        return False
    diffs = []
    for c, kind in kinds.items():
        gv, wv = list(got[c]), list(want[c])
        for i in range(len(gv)):
            a, b = _cell(kind, gv[i]), _cell(kind, wv[i])
            if not _same(kind, a, b):
                diffs.append("row %d, %s: got %r, expected %r" % (i + 1, c, a, b))
                if len(diffs) >= 10:
                    break
    if diffs:
        suite.fail(what, "\n".join(diffs))
        return False
    suite.ok("%s (%d rows)" % (what, len(got)))
    return True


def captures(shared_captures, names):
    """The paths of those names that exist in the capture folder."""
    out = []
    for n in names:
        p = os.path.join(shared_captures, n)
        if os.path.exists(p):
            out.append(p)
    return out


def preflight(name, pktframe, capdir):
    """Skips (exit 0 with a reason) when pandas, tshark, the binary or the captures are missing."""
    if pd is None:
        skip(name, "pandas is not installed (Debian package python3-pandas)")
    from shutil import which
    if which("tshark") is None:
        skip(name, "tshark is not installed")
    if not os.path.exists(pktframe):
        skip(name, "%s is not built" % pktframe)
    if not os.path.isdir(capdir):
        skip(name, "no capture folder %s" % capdir)
