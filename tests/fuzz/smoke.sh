#!/usr/bin/env bash
# timeout: 300
# `make test`'s smoke check of the fuzz targets: each one replays its
# committed seeds (tests/fuzz/corpus/<name>/) and then fuzzes for
# FUZZ_SMOKE_TIME seconds (default 2; about 45 s for all of them on 2
# cores), in a scratch corpus under $BUILD/test/fuzz-smoke/. Any crash,
# sanitizer report or broken invariant fails the test; `make fuzz` is the
# long run (docs/testing.md, "Fuzzing"). Builds the targets if needed and
# skips (77) without clang and its libFuzzer runtime (scripts/setup.sh).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
T=${FUZZ_SMOKE_TIME:-2}

if ! command -v "${FUZZ_CC:-clang}" >/dev/null ||
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
     "${FUZZ_CC:-clang}" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
	echo "SKIP: no clang with libFuzzer (scripts/setup.sh installs clang and libclang-rt-dev)"
	exit 77
fi
make --no-print-directory -s BUILD="$BUILD" fuzz-bins || { echo "FAIL: make fuzz-bins"; exit 1; }

scratch=$BUILD/test/fuzz-smoke
rm -rf "$scratch"
fail=0 n=0
for seeds in tests/fuzz/corpus/*/; do
	name=$(basename "$seeds")
	bin=$BUILD/fuzz/fuzz_$name
	mkdir -p "$scratch/$name"
	dict=()
	[ -f "tests/fuzz/dict/$name.dict" ] && dict=(-dict="tests/fuzz/dict/$name.dict")
	if "$bin" -max_total_time="$T" -timeout=10 -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$scratch/$name-" "$scratch/$name" "$seeds" >"$scratch/$name.log" 2>&1; then
		echo "ok   $name: $(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$name.log") executions," \
		     "$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$scratch/$name.log" | tail -n 1 | sed 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/')"
	else
		crash=$(find "$scratch" -maxdepth 1 -name "$name-*" | head -n 1)
		echo "FAIL $name (log: $scratch/$name.log, input: ${crash:-none}):"
		grep -m 5 -E 'FUZZ INVARIANT|ERROR:|runtime error|SUMMARY' "$scratch/$name.log"
		fail=1
	fi
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "FAIL: no seed corpora in tests/fuzz/corpus"; exit 1; }
exit "$fail"
