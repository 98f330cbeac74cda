#!/usr/bin/env python3
"""User rules (--rules), the config file, --enable/--disable/--severity, --explain.

Builds a capture from tests/cases/rules-misc.case (it holds a 429 without
Retry-After or RateLimit fields) and checks that a user's rule, written in a
few lines, fires on it without rebuilding anything.
"""
import json
import os
import subprocess
import sys
import tempfile

wirelint = os.path.abspath(sys.argv[1])
root = os.getcwd()
sys.path.insert(0, os.path.join(root, "tests", "cases"))
import mkpcap  # noqa: E402

scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
cap = os.path.join(tmp, "misc.pcap")
mkpcap.write(cap, mkpcap.build(open(os.path.join(root, "tests/cases/rules-misc.case")).read().splitlines()))
failures = []


def run(args, cwd=None):
    p = subprocess.run([wirelint, *args], capture_output=True, timeout=60, cwd=cwd or tmp)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def findings(out):
    return [(o["rule"], o["uri"], o["severity"]) for o in map(json.loads, out.splitlines()) if o["type"] == "finding"]


def check(name, cond, detail=""):
    if not cond:
        failures.append("%s %s" % (name, detail))


RATELIMIT = """\
rules:
  - id: ratelimit-on-429
    severity: warning
    summary: every 429 we send carries RateLimit fields
    when:
      status: 429
    require:
      response:
        RateLimit-Policy: present
        RateLimit: present
    message: 429 without RateLimit fields
"""
open(os.path.join(tmp, "ratelimit.yaml"), "w").write(RATELIMIT)

# The user's rule fires on the 429, and only there.
st, out, err = run(["--format", "jsonl", "--rules", "ratelimit.yaml", cap])
f = findings(out)
check("user rule", ("ratelimit-on-429", "/4", "warning") in f, "%s %s" % (f, err))
check("user rule only on the 429", sum(1 for x in f if x[0] == "ratelimit-on-429") == 1, str(f))
st, out, err = run(["--format", "jsonl", cap])
check("no user rule without --rules", not any(x[0] == "ratelimit-on-429" for x in findings(out)))
st, out, err = run(["--list-rules", "--rules", "ratelimit.yaml"])
check("--list-rules shows the user rule and its file", "ratelimit-on-429" in out and "[ratelimit.yaml]" in out, out[-300:])

# A broken rules file: exit 2 before anything is analysed, file:line:col.
open(os.path.join(tmp, "broken.yaml"), "w").write(RATELIMIT.replace("severity: warning", "severity: loud"))
st, out, err = run(["--rules", "broken.yaml", cap])
check("broken rules file", st == 2 and "wirelint: broken.yaml:3:15: severity 'loud'" in err and out == "",
      "%d %r %r" % (st, err, out[:100]))
st, out, err = run(["--rules", "nope.yaml", cap])
check("missing rules file", st == 2 and "wirelint: nope.yaml: No such file or directory" in err, err)
st, out, err = run(["--rules", "ratelimit.yaml", "--rules", "ratelimit.yaml", cap])
check("same rule twice", st == 2 and "already defined (ratelimit.yaml)" in err, err)

# Choosing rules on the command line.
st, out, err = run(["--format", "jsonl", "--disable", "invalid-*", cap])
check("--disable glob", not any(x[0].startswith("invalid-") for x in findings(out)), str(findings(out)))
st, out, err = run(["--format", "jsonl", "--severity", "missing-retry-after=error", cap])
check("--severity", ("missing-retry-after", "/4", "error") in findings(out), str(findings(out)))
st, out, err = run(["--format", "jsonl", "--disable", "*", "--enable", "deprecated-status", cap])
check("--enable after --disable", [x[0] for x in findings(out)] == ["deprecated-status"], str(findings(out)))
st, out, err = run(["--disable", "no-such-*", cap])
check("--disable matching nothing", st == 2 and "--disable: no rule matches 'no-such-*'" in err, err)
st, out, err = run(["--severity", "missing-allow", cap])
check("--severity without a level", st == 2 and "is not ID=error|warning|info" in err, err)

# The config file: found in the current directory, or named with --config;
# its rules files are relative to it; the command line wins.
os.makedirs(os.path.join(tmp, "proj"), exist_ok=True)
open(os.path.join(tmp, "proj", "team.yaml"), "w").write(RATELIMIT)
open(os.path.join(tmp, "proj", ".wirelint.yaml"), "w").write(
    "rules: [team.yaml]\ndisable: [deprecated-status]\nseverity: { ratelimit-on-429: error }\n")
st, out, err = run(["--format", "jsonl", cap], cwd=os.path.join(tmp, "proj"))
f = findings(out)
check("config in the current directory", ("ratelimit-on-429", "/4", "error") in f and
      not any(x[0] == "deprecated-status" for x in f), "%s %s" % (f, err))
st, out, err = run(["--format", "jsonl", "--config", "proj/.wirelint.yaml", cap])
check("--config", ("ratelimit-on-429", "/4", "error") in findings(out), err)
st, out, err = run(["--format", "jsonl", "--enable", "deprecated-status", cap], cwd=os.path.join(tmp, "proj"))
check("the command line wins", any(x[0] == "deprecated-status" for x in findings(out)))
open(os.path.join(tmp, "bad-config.yaml"), "w").write("disable: [deprecated-status]\ncolour: red\n")
st, out, err = run(["--config", "bad-config.yaml", cap])
check("bad config", st == 2 and "bad-config.yaml:2:1: unknown key 'colour'" in err, err)

# --explain prints the rule's page.
st, out, err = run(["--explain", "missing-allow"])
check("--explain", st == 0 and out.startswith("---\nid: missing-allow") and "## Example that breaks it" in out, out[:200])
st, out, err = run(["--explain", "ratelimit-on-429", "--rules", "ratelimit.yaml"])
check("--explain a user rule", st == 0 and "every 429 we send carries RateLimit fields" in out and "ratelimit.yaml" in out, out)
st, out, err = run(["--explain", "no-such-rule"])
check("--explain unknown", st == 2 and "no rule 'no-such-rule'" in err, err)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("user rules, config and --explain as expected")
