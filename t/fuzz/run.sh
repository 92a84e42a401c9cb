#!/bin/sh
# Run quire's libFuzzer targets; "make fuzz" calls this.
#
#   t/fuzz/run.sh <bin dir> <work dir> <seconds> <jobs> <target>...
#
# Each target runs for <seconds> on <work dir>/<target>, a copy of its seed
# corpus t/fuzz/corpus/<target> where libFuzzer adds the new inputs it
# finds (the repository's corpus is never written). Inputs that crash,
# leak, hang or break an invariant go to <work dir>/crashes/<target>/, and
# libFuzzer's output to <work dir>/logs/<target>.log. <jobs>, when not
# empty, is passed as -jobs and -workers. Exits 1 when any target failed,
# after naming the inputs that made it fail.
set -u

if [ $# -lt 5 ]; then
	echo "usage: $0 <bin dir> <work dir> <seconds> <jobs> <target>..." >&2
	exit 2
fi
bin=$1 work=$2 seconds=$3 jobs=$4
shift 4
src=$(cd "$(dirname "$0")" && pwd)
status=0

for t; do
	case "$t" in
	manifest) max_len=16384 dict=json.dict ;;
	json) max_len=8192 dict=json.dict ;;
	revision) max_len=512 dict=revision.dict ;;
	s3-xml) max_len=8192 dict=xml.dict ;;
	*) echo "run.sh: unknown fuzz target '$t'" >&2; exit 2 ;;
	esac
	corpus=$work/$t crashes=$work/crashes/$t log=$work/logs/$t.log
	mkdir -p "$corpus" "$crashes" "$work/logs" || exit 1
	cp "$src/corpus/$t"/* "$corpus"/ || exit 1
	before=$(ls "$crashes" | wc -l)
	jobopts=
	[ -n "$jobs" ] && jobopts="-jobs=$jobs -workers=$jobs"
	echo "fuzz-$t: ${seconds}s, -max_len=$max_len, corpus $corpus"
	# shellcheck disable=SC2086
	(cd "$work/logs" && "$bin/fuzz-$t" -max_total_time="$seconds" \
		-max_len=$max_len -timeout=25 -rss_limit_mb=2048 \
		-dict="$src/$dict" -artifact_prefix="$crashes/" \
		-print_final_stats=1 $jobopts "$corpus") >"$log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' \
		"$log" | sed "s/^/  /"
	after=$(ls "$crashes" | wc -l)
	if [ $rc -ne 0 ] || [ "$after" -ne "$before" ]; then
		status=1
		grep -E 'ERROR|invariant failed|SUMMARY' "$log" | head -5 |
			sed "s/^/  /"
		echo "fuzz-$t FAILED (exit $rc); log: $log; inputs:"
		grep -h 'Test unit written to' "$log" "$work/logs"/fuzz-*.log \
			2>/dev/null | sed 's/.*written to /  /' | sort -u
		ls -t "$crashes" | sed "s|^|  $crashes/|" | head -5
	fi
done
if [ $status -ne 0 ]; then
	echo "fuzzing found problems: reproduce with <bin> <input>;" \
	     "see t/fuzz/README" >&2
fi
exit $status
