# lib-quilt3-fixture.sh: the folder the quilt3-made registry of
# t/vectors must be copied to. quilt3 records absolute paths: the
# fixture's manifests name files below FIXTURE. The folder is shared by
# every run on this machine: a script takes it only when it is free (or
# left behind by a run that is gone), sets the prereq FIXTURE when it
# did, and removes it at the end.

FIXTURE=/tmp/quire-quilt3-fixture
OWNER=$FIXTURE/.quire-test-owner
if test -f "$OWNER" && ! kill -0 "$(cat "$OWNER")" 2>/dev/null
then
	rm -rf "$FIXTURE"
fi
if mkdir "$FIXTURE" 2>/dev/null
then
	echo $$ >"$OWNER" &&
	test_set_prereq FIXTURE
else
	say "# $FIXTURE is in use: skipping what needs it"
fi
