#!/usr/bin/env python3
"""The HTML report, opened in headless Chromium: it renders with no script error, offline, and every
chart has the capture's data.  A screenshot is kept as an artifact.

    report_html.py WIRELINT ARTIFACT_DIR

Skipped (exit 77), saying why, when Chromium is not installed; scripts/setup.sh --tests installs it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

wirelint, artifacts = sys.argv[1], sys.argv[2]
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("skipped: Chromium is not installed (scripts/setup.sh --tests installs Debian's chromium)")
    sys.exit(77)
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
failures = []


def check(name, ok, detail=""):
    if not ok:
        failures.append("%s%s" % (name, ": " + detail if detail else ""))


captures = ["captures/demo.pcap", "captures/nginx.pcap"]
report = os.path.join(tmp, "report.html")
p = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", "--report", report, *captures],
                   capture_output=True, timeout=120)
summary = json.loads(p.stdout.decode().splitlines()[-1])
findings = [json.loads(l) for l in p.stdout.decode().splitlines() if '"type":"finding"' in l]
html = open(report, encoding="utf-8").read()

# Self-contained: nothing to fetch.
external = re.findall(r'(?:src|href)\s*=\s*"(?!#)[^"]*"|@import|url\(|<link\b', html)
check("no external scripts, styles, fonts or images", not external, str(external[:5]))

# Chromium: the page after its script ran, and what the browser logged.
env = dict(os.environ, HOME=tmp)
flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
         "--user-data-dir=" + os.path.join(tmp, "profile"), "--enable-logging=stderr", "--v=0"]
dom = subprocess.run([chromium, *flags, "--dump-dom", "file://" + report], capture_output=True, timeout=120, env=env)
page = dom.stdout.decode(errors="replace")
log = dom.stderr.decode(errors="replace")
check("Chromium rendered the page", "<svg" in page and dom.returncode == 0, log[-500:])
check("no script error", "data-js-errors" not in page and "Uncaught" not in log,
      re.findall(r'data-js-errors="[^"]*"', page)[:1] or log[-500:])
check("the filter script ran", re.search(r'id="f-count">\d+ shown<', page) is not None)


def svg(id_):
    m = re.search(r'<svg id="%s".*?</svg>' % id_, page, re.S)
    return ET.fromstring(m.group(0)) if m else None


def rects(el):
    return [r for r in el.iter() if r.tag.endswith("rect")] if el is not None else []


# Responses per status class over time: a bar of each class seen, counts adding up.
tl = rects(svg("chart-timeline"))
seen = {k for k, v in summary["by_class"].items() if v}
drawn = {r.get("data-class") for r in tl}
total = sum(int(r.get("data-count")) for r in tl)
check("timeline: bars for each status class seen", drawn == seen, "%s vs %s" % (drawn, seen))
check("timeline: the counts add up to the responses", total == sum(summary["by_class"].values()),
      "%d vs %s" % (total, summary["by_class"]))
st = {r.get("data-label"): int(r.get("data-count")) for r in rects(svg("chart-status"))}
check("status codes: a bar per code, with its count", st == {k: v for k, v in summary["by_status"].items()},
      "%s vs %s" % (st, summary["by_status"]))
lat = rects(svg("chart-latency"))
check("latency histogram: the transactions with a latency", sum(int(r.get("data-count")) for r in lat)
      == summary["latency"]["first_byte"]["count"] > 0)
rules = {r.get("data-label"): int(r.get("data-count")) for r in rects(svg("chart-rules"))}
check("findings per rule: a bar per rule, with its count", rules == summary["by_rule"], "%s vs %s" % (rules, summary["by_rule"]))
rows = re.findall(r'<tr data-rule="([^"]+)" data-host="([^"]*)"', page)
check("findings table: a row per finding", len(rows) == len(findings) == summary["findings"])
check("redirect chains table", "table-chains" in page and "http://demo.test/old-home" in page)

os.makedirs(artifacts, exist_ok=True)
shot = os.path.join(artifacts, "report-screenshot.png")
subprocess.run([chromium, *flags, "--window-size=1280,2400", "--screenshot=" + shot, "file://" + report],
               capture_output=True, timeout=120, env=env)
check("a screenshot was taken", os.path.exists(shot) and os.path.getsize(shot) > 10000, shot)
shutil.copy(report, os.path.join(artifacts, "report.html"))

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("report: renders in Chromium with no script error, every chart filled; screenshot at %s" % shot)
