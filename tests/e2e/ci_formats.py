#!/usr/bin/env python3
"""wirelint in CI: SARIF, JUnit, baselines, inputs, Community IDs, determinism, exit statuses.

    ci_formats.py WIRELINT

Run from the source tree.  The SARIF is validated by Microsoft's SARIF
Multitool (scripts/setup.sh --tests installs it from npm into tests/tools),
with its SARIF rules and GitHub's; the Community IDs are compared with
tshark's.  Every check prints what differed.
"""
import collections
import glob
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(here), "cases"))
import mkpcap  # noqa: E402

wirelint = os.path.abspath(sys.argv[1])
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
failures = []
demo, clean = "captures/demo.pcap", "captures/clean.pcap"
MULTITOOL = "tests/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"


def check(name, ok, detail=""):
    if not ok:
        failures.append("%s%s" % (name, ": " + detail if detail else ""))


def run(*args, stdin=None):
    return subprocess.run([wirelint, *args], capture_output=True, timeout=120, input=stdin)


def jsonl(*args, stdin=None):
    p = run("--format", "jsonl", "--fail-on", "none", *args, stdin=stdin)
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


def case_pcap(name, text):
    path = os.path.join(tmp, name)
    mkpcap.write(path, mkpcap.build(text.splitlines()))
    return path


def records(path):
    """(offset, length) of each packet record of a pcap file, by frame number from 1."""
    data = open(path, "rb").read()
    out, off = {}, 24
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    frame = 1
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        out[frame] = (off, 16 + caplen)
        off += 16 + caplen
        frame += 1
    return out


# --- SARIF -------------------------------------------------------------------
sarif_path = os.path.join(tmp, "demo.sarif")
p = run("--format", "sarif", "-o", sarif_path, demo)
check("sarif: exit status follows --fail-on (error)", p.returncode == 1, "exit %d" % p.returncode)
log = json.load(open(sarif_path))
finds = [o for o in jsonl(demo) if o["type"] == "finding"]
run0 = log["runs"][0]
driver = run0["tool"]["driver"]
check("sarif: version 2.1.0", log["version"] == "2.1.0")
check("sarif: driver name, version, informationUri",
      driver["name"] == "wirelint" and driver["version"] and driver["informationUri"].startswith("https://"))
listed = {json.loads(l)["id"]: json.loads(l) for l in run("--list-rules", "--format", "jsonl").stdout.decode().splitlines()}
ran = [i for i, r in listed.items() if r["enabled"]]
check("sarif: every rule that ran, in order", [r["id"] for r in driver["rules"]] == ran,
      "%d rules, want %d" % (len(driver["rules"]), len(ran)))
level = {"error": "error", "warning": "warning", "info": "note"}
for r in driver["rules"]:
    want = listed[r["id"]]
    ok = (r["shortDescription"]["text"] == want["summary"] and r["fullDescription"]["text"].startswith(want["summary"])
          and r["helpUri"].endswith("/docs/rules/%s.md" % r["id"]) and r["name"]
          and r["defaultConfiguration"]["level"] == level[want["severity"]] and r["help"]["text"])
    check("sarif: rule %s described" % r["id"], ok, json.dumps(r)[:300])
results = run0["results"]
check("sarif: one result per finding", len(results) == len(finds), "%d results, %d findings" % (len(results), len(finds)))
recs = records(demo)
for res, f in zip(results, finds):
    loc = res["locations"][0]
    phys, logical = loc["physicalLocation"], loc["logicalLocations"][0]
    region = phys["region"]
    props = res["properties"]
    want_rec = recs.get(props["frame"])
    ok = (res["ruleId"] == f["rule"] and res["level"] == level[f["severity"]] and res["message"]["text"] == f["message"]
          and driver["rules"][res["ruleIndex"]]["id"] == f["rule"]
          and phys["artifactLocation"]["uri"] == "captures/demo.pcap" and region["startLine"] == 1
          and (region["byteOffset"], region["byteLength"]) == want_rec
          and logical["name"] == "%s %s" % (f["method"], f["uri"])
          and res["partialFingerprints"]["primaryLocationLineHash"] == f["fingerprint"] + ":1"
          and props["client"] == f["client"] and props["server"] == f["server"] and props["method"] == f["method"]
          and props["uri"] == f["uri"] and props.get("status") == f["status"] and props["time"].endswith("Z")
          and props["communityId"] == f["community_id"])
    check("sarif: result for %s on %s %s" % (f["rule"], f["method"], f["uri"]), ok, json.dumps(res)[:400])
# The record a result points at is the packet that starts the response.
with open(demo, "rb") as fh:
    raw = fh.read()
for res in results:
    r = res["locations"][0]["physicalLocation"]["region"]
    payload = raw[r["byteOffset"]:r["byteOffset"] + r["byteLength"]]
    check("sarif: the region holds the response's first packet", b"HTTP/1." in payload,
          "%s at %d" % (res["ruleId"], r["byteOffset"]))

if os.path.exists(MULTITOOL):
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1", DOTNET_CLI_TELEMETRY_OPTOUT="1")
    for target in (sarif_path,):
        out = os.path.join(tmp, "validation.sarif")
        v = subprocess.run([MULTITOOL, "validate", "--level", "Error;Warning", "--rule-kind", "Sarif;Gh", target,
                            "-o", out, "--log", "ForceOverwrite"], capture_output=True, timeout=300, env=env)
        check("sarif: the Multitool ran", v.returncode == 0, v.stdout.decode()[-500:] + v.stderr.decode()[-500:])
        if v.returncode == 0:
            found = json.load(open(out))["runs"][0].get("results", [])
            check("sarif: no error or warning from the Multitool (SARIF and GitHub rules)", not found,
                  "; ".join("%s %s" % (r["ruleId"], r["message"].get("arguments")) for r in found[:10]))
else:
    failures.append("sarif: %s is missing; run scripts/setup.sh --tests" % MULTITOOL)

# --- JUnit -------------------------------------------------------------------
p = run("--format", "junit", demo, clean)
check("junit: exit status follows --fail-on", p.returncode == 1)
root = ET.fromstring(p.stdout)
suites = root.findall("testsuite")
check("junit: one test suite per file, sorted", [s.get("name") for s in suites] == [clean, demo],
      str([s.get("name") for s in suites]))
pairs = [(c.get("classname"), c.get("name")) for s in suites for c in s.findall("testcase")]
check("junit: classname and name unique", len(pairs) == len(set(pairs)))
by_rule = collections.Counter(f["rule"] for f in finds if f["severity"] == "error")
for s in suites:
    cases = s.findall("testcase")
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    check("junit: %s: a test case per rule that ran" % s.get("name"), [c.get("name") for c in cases] == ran)
    check("junit: %s: tests and failures counted" % s.get("name"),
          int(s.get("tests")) == len(cases) and int(s.get("failures")) == len(failed))
    if s.get("name") == demo:
        check("junit: the failing rules are the error findings' rules", set(failed) == set(by_rule),
              "%s vs %s" % (sorted(failed), sorted(by_rule)))
        for rule, el in failed.items():
            lines = [l for l in el.text.splitlines() if l]
            check("junit: %s lists each response that broke it" % rule,
                  len(lines) == by_rule[rule] and all(l.startswith(demo + ":") for l in lines), el.text[:300])
        # Findings below --fail-on do not fail: they are the test case's output.
        infos = {f["rule"] for f in finds if f["severity"] != "error"}
        for c in cases:
            if c.get("name") in infos and c.get("name") not in by_rule:
                check("junit: %s (below --fail-on) is output, not a failure" % c.get("name"),
                      c.find("failure") is None and c.find("system-out") is not None)
    else:
        check("junit: the clean capture fails nothing", not failed)
check("junit: totals are the suites' sums",
      int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
      and int(root.get("failures")) == sum(int(s.get("failures")) for s in suites)
      and abs(float(root.get("time")) - sum(float(s.get("time")) for s in suites)) < 1e-5)
p = run("--format", "junit", "--fail-on", "warning", demo)
root_w = ET.fromstring(p.stdout)
check("junit: --fail-on warning fails the warning rules too",
      int(root_w.get("failures")) == len({f["rule"] for f in finds if f["severity"] in ("error", "warning")}))
p = run("--format", "junit", "--fail-on", "none", demo)
check("junit: --fail-on none fails nothing, exit 0", p.returncode == 0 and ET.fromstring(p.stdout).get("failures") == "0")

# --- Baselines ---------------------------------------------------------------
A = """conn a 10.0.0.1:40000 10.0.0.2:80
a c "GET /users/7 HTTP/1.1\\r\\nHost: api.test\\r\\n\\r\\n"
a s "HTTP/1.1 302 Found\\r\\nDate: Mon, 03 Nov 2025 10:00:00 GMT\\r\\nContent-Length: 0\\r\\n\\r\\n"
a c "DELETE /items/0f8fad5b-d9cb-469f-a165-70867728950e HTTP/1.1\\r\\nHost: api.test\\r\\n\\r\\n"
a s "HTTP/1.1 405 Method Not Allowed\\r\\nDate: Mon, 03 Nov 2025 10:00:00 GMT\\r\\nContent-Length: 0\\r\\n\\r\\n"
conn b 10.0.0.3:40001 10.0.0.2:80
b c "GET /login HTTP/1.1\\r\\nHost: api.test\\r\\n\\r\\n"
b s "HTTP/1.1 401 Unauthorized\\r\\nDate: Mon, 03 Nov 2025 10:00:00 GMT\\r\\nContent-Length: 0\\r\\n\\r\\n"
"""
# The same faults: other ports, other times, other ids, the connections in the other order.
B = """wait 3600
conn b 10.0.0.3:51111 10.0.0.2:80
b c "GET /login HTTP/1.1\\r\\nHost: API.test\\r\\n\\r\\n"
b s "HTTP/1.1 401 Unauthorized\\r\\nDate: Mon, 03 Nov 2025 11:00:00 GMT\\r\\nContent-Length: 0\\r\\n\\r\\n"
conn a 10.0.0.9:52222 10.0.0.2:80
a c "DELETE /items/6ba7b810-9dad-11d1-80b4-00c04fd430c8 HTTP/1.1\\r\\nHost: api.test\\r\\n\\r\\n"
a s "HTTP/1.1 405 Method Not Allowed\\r\\nDate: Mon, 03 Nov 2025 11:00:00 GMT\\r\\nContent-Length: 0\\r\\n\\r\\n"
a c "GET /users/12345 HTTP/1.1\\r\\nHost: api.test:80\\r\\n\\r\\n"
a s "HTTP/1.1 302 Found\\r\\nDate: Mon, 03 Nov 2025 11:00:00 GMT\\r\\nContent-Length: 0\\r\\n\\r\\n"
"""
# B, less the 401, plus a new fault.
C = B.replace("HTTP/1.1 401 Unauthorized\\r\\n", "HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\n") + """conn c 10.0.0.4:40000 10.0.0.2:80
c c "GET /new HTTP/1.1\\r\\nHost: api.test\\r\\n\\r\\n"
c s "HTTP/1.1 503 Service Unavailable\\r\\nDate: Mon, 03 Nov 2025 11:00:00 GMT\\r\\nContent-Length: 0\\r\\n\\r\\n"
"""
pa, pb, pc = case_pcap("a.pcap", A), case_pcap("b.pcap", B), case_pcap("c.pcap", C)
base = os.path.join(tmp, "baseline.json")
p = run("--write-baseline", base, pa)
bl = json.load(open(base))
fa = [o for o in jsonl(pa) if o["type"] == "finding"]
check("baseline: written with every finding", p.returncode == 1 and sum(e["count"] for e in bl["findings"]) == len(fa) == 3,
      json.dumps(bl)[:500])
check("baseline: entries in fingerprint order, parts named",
      [e["fingerprint"] for e in bl["findings"]] == sorted(e["fingerprint"] for e in bl["findings"])
      and {e["endpoint"] for e in bl["findings"]} == {"/users/{id}", "/items/{id}", "/login"})
ob = jsonl("--baseline", base, pb)
summ = ob[-1]
check("baseline: the same faults at other ports, times, ids and order are all suppressed",
      summ["findings"] == 0 and summ["baseline_suppressed"] == 3 and summ["baseline_unmatched"] == 0, json.dumps(summ)[:400])
p = run("--baseline", base, pb)
check("baseline: nothing new, exit 0", p.returncode == 0, p.stdout.decode()[-300:])
oc = jsonl("--baseline", base, pc)
new = [o for o in oc if o["type"] == "finding"]
check("baseline: only the new finding is reported, the fixed one counted as gone",
      [f["uri"] for f in new] == ["/new"] and oc[-1]["baseline_suppressed"] == 2 and oc[-1]["baseline_unmatched"] == 1,
      json.dumps(oc[-1])[:400])
text = run("--baseline", base, pc).stdout.decode()
check("baseline: the text summary says both", "findings suppressed by --baseline (already accepted)" in text
      and "findings of --baseline that no longer occur" in text, text[-600:])
sr = json.loads(run("--format", "sarif", "--baseline", base, pc).stdout)
check("baseline: SARIF has the new finding only", [r["properties"]["uri"] for r in sr["runs"][0]["results"]] == ["/new"])
bad = os.path.join(tmp, "bad.json")
open(bad, "w").write('{"version": 1, "findings": [\n  {"rule": "x"\n')
p = run("--baseline", bad, pa)
check("baseline: a damaged file is an error naming it, before any analysis",
      p.returncode == 2 and bad in p.stderr.decode() and p.stdout == b"", p.stderr.decode())
fp_a = sorted(e["fingerprint"] for e in bl["findings"])
base_b = os.path.join(tmp, "baseline-b.json")
run("--write-baseline", base_b, pb)
check("baseline: fingerprints do not depend on time, ports, ids or order",
      fp_a == sorted(e["fingerprint"] for e in json.load(open(base_b))["findings"]))

# --- Inputs ------------------------------------------------------------------
tree = os.path.join(tmp, "tree")
os.makedirs(os.path.join(tree, "sub", "deeper"))
shutil.copy(demo, os.path.join(tree, "sub", "deeper", "x.PCAP"))
shutil.copy(pa, os.path.join(tree, "a.cap"))
shutil.copy(pb, os.path.join(tree, "sub", "b.pcapng.pcap"))
open(os.path.join(tree, "notes.txt"), "w").write("not a capture")
with open(clean, "rb") as src, gzip.open(os.path.join(tree, "sub", "c.pcap.GZ"), "wb") as dst:
    dst.write(src.read())                                                   # a capture gzip-compressed is one
open(os.path.join(tree, "notes.txt.gz"), "wb").write(gzip.compress(b"not a capture"))
os.symlink(os.path.abspath(clean), os.path.join(tree, "linked.pcap"))      # a link to a file is followed
os.symlink(os.path.abspath("captures"), os.path.join(tree, "linked-dir"))  # a link to a directory is not
summ = jsonl(tree)[-1]
want_files = sorted([os.path.join(tree, "a.cap"), os.path.join(tree, "linked.pcap"),
                     os.path.join(tree, "sub", "b.pcapng.pcap"), os.path.join(tree, "sub", "c.pcap.GZ"),
                     os.path.join(tree, "sub", "deeper", "x.PCAP")])
check("inputs: a directory is searched recursively for captures, sorted", summ["files"] == want_files, str(summ["files"]))
one = jsonl(demo)
piped = jsonl("-", stdin=open(demo, "rb").read())
strip = lambda objs: [{k: v for k, v in o.items() if k not in ("file", "files")} for o in objs]
check("inputs: - reads standard input as tcpdump -r - does", strip(one) == strip(piped))
several = jsonl(demo, clean, pa)
check("inputs: several files make one report (one summary)",
      sum(1 for o in several if o["type"] == "summary") == 1 and several[-1]["files"] == sorted([demo, clean, pa]))

# --- Determinism -------------------------------------------------------------
for fmt in ("text", "jsonl", "sarif", "junit"):
    outs = {run("--format", fmt, *names).stdout for names in ([demo, clean, pa], [pa, demo, clean], [clean, pa, demo])}
    outs.add(run("--format", fmt, demo, clean, pa).stdout)
    check("determinism: %s is byte-identical across runs and orders of the files" % fmt, len(outs) == 1)

# --- Community ID ------------------------------------------------------------
v6 = case_pcap("v6.pcap", open("tests/cases/ipv6.case").read())
for cap in (demo, v6):
    ts = subprocess.run(["tshark", "-r", cap, "--enable-protocol", "communityid", "-T", "fields", "-e", "communityid",
                         "-e", "tcp.srcport", "-e", "tcp.dstport"], capture_output=True, timeout=120).stdout.decode()
    theirs = {}
    for line in ts.splitlines():
        cid, sp, dp = line.split("\t")
        theirs[frozenset((int(sp), int(dp)))] = cid
    txns = [o for o in jsonl(cap) if o["type"] == "transaction"]
    mismatched = [(t["client"], t["community_id"]) for t in txns
                  if theirs.get(frozenset((int(t["client"].rsplit(":", 1)[1]), int(t["server"].rsplit(":", 1)[1]))))
                  != t["community_id"]]
    check("community id: %s agrees with tshark on every connection" % cap, txns and not mismatched, str(mismatched[:3]))

# --- -w with files: the connections with findings, read back the same ------------
ev = os.path.join(tmp, "evidence.pcap")
p = run("--format", "jsonl", "--fail-on", "none", "-w", ev, demo)
first = sorted((o["rule"], o["uri"]) for o in map(json.loads, p.stdout.decode().splitlines()) if o["type"] == "finding")
back = sorted((o["rule"], o["uri"]) for o in jsonl(ev) if o["type"] == "finding")
check("-w: reading the evidence back gives the same findings", first == back and first, "%s vs %s" % (first, back))
check("-w: only connections with findings are written",
      jsonl(ev)[-1]["connections"] < jsonl(demo)[-1]["connections"] and json.loads(p.stdout.decode().splitlines()[-1])["evidence_written"] > 0)
p = run("-w", os.path.join(tmp, "no", "such", "dir.pcap"), demo)
check("-w: a path that cannot be written stops the run first, exit 2", p.returncode == 2 and b"cannot write" in p.stderr
      and p.stdout == b"", p.stderr.decode())

# --- Exit statuses and --max-findings ----------------------------------------
for fmt in ("text", "jsonl", "sarif", "junit"):
    codes = [run("--format", fmt, "--fail-on", lvl, demo).returncode for lvl in ("none", "error")]
    check("exit: --fail-on applies to %s" % fmt, codes == [0, 1], str(codes))
    codes = [run("--format", fmt, "--fail-on", "error", clean).returncode]
    check("exit: a clean capture gives 0 in %s" % fmt, codes == [0])
objs = jsonl("--max-findings", "2", demo)
p = run("--max-findings", "2", "--fail-on", "none", demo)
check("--max-findings: exactly N findings, exit 1 even with --fail-on none",
      sum(1 for o in objs if o["type"] == "finding") == 2 and objs[-1]["findings"] == 2 and p.returncode == 1
      and "stopped after 2 findings" in p.stderr.decode(), p.stderr.decode())
sr = json.loads(run("--format", "sarif", "--max-findings", "3", demo).stdout)
check("--max-findings: applies to SARIF", len(sr["runs"][0]["results"]) == 3)
help_text = run("--help").stdout.decode()
readme = open("README.md").read()
check("exit statuses in --help and the README", "--max-findings" in help_text and "Exit status" in help_text
      and "--max-findings" in readme and "--baseline" in readme)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ci formats: SARIF (%d results, Multitool clean), JUnit, baselines, inputs, determinism, Community IDs, exit statuses"
      % len(results))
