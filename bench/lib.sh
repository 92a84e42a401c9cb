# Helpers the bench scripts share. Source it after setting QUIRE (the
# quire binary): . "$SRC/lib.sh"

# bench_registry MANIFEST REG NS/NAME: the file:// registry at REG holds
# MANIFEST as the one version (and latest) of NS/NAME, written in
# quilt3's layout as a registry holds it, without pushing any data (the
# entries' physical keys stay what the manifest says). The version's
# top hash is left in TOP. Nothing is written when REG already has it
# as NS/NAME's latest, so a big package is built once and kept.
bench_registry () {
	TOP=$("$QUIRE" top-hash "$1") || return 1
	test "$(cat "$2/.quilt/named_packages/$3/latest" 2>/dev/null)" != \
		"$TOP" || return 0
	mkdir -p "$2/.quilt/packages" "$2/.quilt/named_packages/$3" &&
	cp "$1" "$2/.quilt/packages/$TOP" &&
	echo "$TOP" >"$2/.quilt/named_packages/$3/1700000000" &&
	echo "$TOP" >"$2/.quilt/named_packages/$3/latest"
}

# now_ms: the wall clock in milliseconds
now_ms () {
	echo $(($(date +%s%N) / 1000000))
}

# alive PID: PID runs (and is no zombie)
alive () {
	kill -0 "$1" 2>/dev/null || return 1
	case "$(ps -o stat= -p "$1" 2>/dev/null)" in
	Z*) return 1 ;;
	esac
}

# stop PID...: TERM, then KILL after 3 seconds
stop () {
	test $# -gt 0 || return 0
	kill "$@" 2>/dev/null || :
	i=0
	while test $i -lt 60; do
		left=
		for p; do
			alive $p && left="$left $p"
		done
		test -z "$left" && break
		sleep 0.05
		i=$((i + 1))
	done
	test -z "$left" || kill -9 $left 2>/dev/null || :
	wait "$@" 2>/dev/null || :
}

# goal VALUE OP BOUND: "met" or "NOT met" for VALUE OP BOUND (OP is >=
# or <)
goal () {
	awk -v v="$1" -v op="$2" -v b="$3" 'BEGIN {
		if (v !~ /^[0-9.]+$/) { print "not measured"; exit }
		ok = op == ">=" ? v >= b : v < b
		print ok ? "met" : "NOT met" }'
}
