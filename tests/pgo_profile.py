#!/usr/bin/env python3
"""The profile-guided build found a profile for every object it compiled (cmake/pgo.cmake).

GCC looks an object's profile up by the object's path under the build
directory; a profile it does not find only costs a warning, and the build
is then as slow as one without.  So: every object of wirelint, its core
library and llhttp has its .gcda in pgo/data under the name the compiler
looks for, and it is not empty.  The embedded rules file and rule pages
are data only (no function, so no profile).  Skipped (77) when the build is
not profile-guided (-DWIRELINT_PGO=OFF, clang, sanitizers).

    pgo_profile.py BUILD_DIR PGO LLHTTP_TYPE DATA_ONLY_SOURCES -- OBJECT...

(LLHTTP_TYPE: STATIC_LIBRARY when llhttp is compiled here, and its
objects must then be among those checked.)
"""
import os
import sys

build, pgo, llhttp_type = sys.argv[1], sys.argv[2], sys.argv[3]
sep = sys.argv.index("--")
data_only = {os.path.basename(s) for s in sys.argv[4:sep] if s}
# A generator expression's list may come as one argument, its items joined by ";".
objects = [o for a in sys.argv[sep + 1:] for o in a.split(";") if o]
if pgo.upper() not in ("ON", "1", "TRUE", "YES"):
    print("not a profile-guided build")
    sys.exit(77)
data = os.path.join(build, "pgo", "data")
failures = []
checked = 0
for o in objects:
    rel = os.path.relpath(o, build)
    if os.path.basename(rel)[: -len(".o")] in data_only:
        continue
    gcda = os.path.join(data, rel.replace(os.sep, "#")[: -len(".o")] + ".gcda")
    checked += 1
    if not os.path.isfile(gcda):
        failures.append("%s: no profile (%s)" % (rel, os.path.basename(gcda)))
    elif os.path.getsize(gcda) == 0:
        failures.append("%s: an empty profile" % rel)
if llhttp_type == "STATIC_LIBRARY" and not any(o.endswith("llhttp.c.o") for o in objects):
    failures.append("llhttp's objects were not among those checked")
for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print("%d objects, each with its profile" % checked)
