#!/usr/bin/env bash
# Adds every public symbol the build reports as undeclared (RS0016) to its project's PublicAPI.Unshipped.txt, so a
# deliberate change to the public surface is one command; review the diff of the .txt files before committing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log="$(mktemp)"
dotnet build Tabernacle.EfCore.sln -nologo -v q -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
python3 - "$log" <<'PY'
import re, sys, collections
added = collections.defaultdict(set)
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.search(r"warning RS0016: Symbol '(.+?)' is not part of the declared public API.*\[(.+?\.csproj)\]", line)
    if m:
        added[m.group(2).rsplit("/", 1)[0]].add(m.group(1))
for folder, symbols in added.items():
    path = f"{folder}/PublicAPI.Unshipped.txt"
    lines = open(path, encoding="utf-8").read().splitlines()
    header = [l for l in lines if l.startswith("#")] or ["#nullable enable"]
    body = sorted(set(l for l in lines if l and not l.startswith("#")) | symbols)
    open(path, "w", encoding="utf-8").write("\n".join(header + body) + "\n")
    print(f"{path}: {len(symbols)} symbol(s) added")
PY
rm -f "$log"
