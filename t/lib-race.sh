# lib-race.sh: many pushes at once to one registry. Source it after
# test-lib.sh.
#
# race_round REGISTRY ROUND FORCE WANT
#	Install the latest ns/pkg of REGISTRY into RACE_N (20 by default)
#	workspaces, give new.txt other bytes in each, commit, and push them
#	all at once (with FORCE, "--force" or ""). Then every push that
#	reported success must be listed in 'quire log' and install with
#	its own bytes; every other must have failed naming latest; exactly
#	WANT pushes must be listed; and 'quire fsck' must find nothing.
#	Leaves the last log in race/log and each top hash in race/top-N.

RACE_N=${RACE_N:-20}
RACE_ROUNDS=0

race_round () {
	race_reg=$1 &&
	round=$2 &&
	force=$3 &&
	want=$4 &&
	RACE_ROUNDS=$((RACE_ROUNDS + 1)) &&
	rm -rf race && mkdir race &&
	quire install -q --registry "$race_reg" ns/pkg --to race/base &&
	for i in $(seq 1 $RACE_N)
	do
		cp -R race/base race/w$i &&
		echo "round $round push $i" >race/w$i/new.txt &&
		quire -C race/w$i add -q new.txt &&
		quire -C race/w$i commit -q -m "race $round $i" >race/top-$i ||
		return 1
	done &&
	pids= &&
	for i in $(seq 1 $RACE_N)
	do
		{ quire -C race/w$i push $force "$race_reg" \
			>race/out-$i 2>race/err-$i & } &&
		pids="$pids $!" || return 1
	done &&
	for p in $pids
	do
		wait $p || :
	done &&
	quire log --registry "$race_reg" ns/pkg >race/log &&
	ok=0 &&
	for i in $(seq 1 $RACE_N)
	do
		if grep -q "^pushed" race/err-$i
		then
			ok=$((ok + 1)) &&
			grep -q "^$(cat race/top-$i)" race/log &&
			rm -rf race/i &&
			quire install -q --registry "$race_reg" \
				ns/pkg@$(cat race/top-$i) --to race/i &&
			echo "round $round push $i" >expect &&
			test_cmp expect race/i/new.txt ||
			{ echo "push $i:"; cat race/err-$i; return 1; }
		else
			test_grep "latest" race/err-$i &&
			! grep -q "^$(cat race/top-$i)" race/log || return 1
		fi
	done &&
	echo "round $round: $ok of $RACE_N pushes succeeded and are listed" &&
	test $ok = $want &&
	quire fsck --registry "$race_reg" >race/fsck 2>race/fsck-err ||
	{ cat race/fsck race/fsck-err; return 1; }
}
