#!/usr/bin/env bash
# Sums the per-project summary lines that `dotnet test` prints, such as
#   Passed!  - Failed:     0, Passed:    20, Skipped:     0, Total:    20, Duration: 1 s - X.Tests.dll (net10.0)
#   Failed!  - Failed:     2, Passed:    18, Skipped:     1, Total:    21, Duration: 3 s - Y.Tests.dll (net10.0)
# and prints exactly one line: "N passed, N failed, N skipped".
#
# Usage: count-tests.sh [LOG...]   (reads stdin without arguments)
# Exit status: 0 when at least one project reported and none failed; 1 when a test failed;
#              2 when no summary line was found (nothing ran, e.g. the build failed).
set -euo pipefail

# Colour escapes are stripped first in case the console logger was told to colour redirected output.
cat -- "$@" | sed -E $'s/\x1b\\[[0-9;]*[A-Za-z]//g' | awk '
    match($0, /(Passed|Failed)![[:space:]]+-[[:space:]]+Failed:[[:space:]]*[0-9]+,[[:space:]]*Passed:[[:space:]]*[0-9]+,[[:space:]]*Skipped:[[:space:]]*[0-9]+/) {
        line = substr($0, RSTART, RLENGTH)
        gsub(/[^0-9,]/, "", line)          # keeps "F,P,S"
        split(line, n, ",")
        failed += n[1]; passed += n[2]; skipped += n[3]; projects++
    }
    END {
        printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
        if (projects == 0) exit 2
        if (failed > 0) exit 1
        exit 0
    }'
