# lib-browser.sh: drive a real browser (Debian's Chromium, through
# Playwright's playwright-core from the npm registry) against pages that
# a test serves on loopback, e.g. with 'quire serve' (t/lib-serve.sh).
# Source it after test-lib.sh:
#
#	. ./test-lib.sh
#	. "$TEST_DIRECTORY/lib-serve.sh"
#	. "$TEST_DIRECTORY/lib-browser.sh"
#
#	test_expect_success 'a person can click through the catalog' '
#		serve_start -r "$PWD/reg" &&
#		browser_run walk.js "$SERVE_URL" plan.json
#	'
#
# Prereq BROWSER holds when node runs, the packages of t/browser are
# installed in t/browser/node_modules as its package-lock.json pins them
# (contrib/install-deps.sh --test runs 'npm ci' there), and Chromium
# (/usr/bin/chromium, Debian's chromium) starts headless under Playwright
# and shows a page. Without it the script skips all its tests and says
# why, unless QUIRE_REQUIRE_BROWSER=1 (CI sets it): then it fails. No
# browser is ever downloaded: Playwright is told where Debian's is.
#
# browser_run [--as <name>] <script.js> [<args>...]
#	Run t/browser/<script.js> with node (NODE_PATH naming
#	t/browser/node_modules) within $BROWSER_TIMEOUT seconds (120). The
#	script finds in its environment what t/browser/lib.js needs:
#	BROWSER_CHROMIUM (the executable), BROWSER_FLAGS (Chromium's flags,
#	one string), BROWSER_PROFILES (a folder in the trash directory where
#	each launch makes its fresh --user-data-dir), BROWSER_SHOTS (where
#	its screenshots go: screenshots/<name>/ in the trash directory,
#	emptied first; <name> is the script's without .js unless --as
#	gives one) and BROWSER_DOWNLOADS. Whatever the script ends with,
#	its screenshots are copied to
#	$BROWSER_KEEP/<test script>/screenshots-<name>/, where they
#	outlive the trash directory: BROWSER_KEEP is $TEST_OUTPUT_DIRECTORY
#	when set, else $QUIRE_BUILD_DIR/test-output.
#
# Chromium runs as root, with no network: --no-sandbox, and no
# background connections (they would be refused, and slow every start).

BROWSER_CHROMIUM=/usr/bin/chromium
BROWSER_FLAGS="--headless --no-sandbox --disable-gpu --disable-quic \
--no-first-run --disable-background-networking --disable-component-update \
--disable-sync"
BROWSER_NODE_MODULES=$TEST_DIRECTORY/browser/node_modules
BROWSER_PROFILES=$SHARNESS_TRASH_DIRECTORY/.chromium-profiles
BROWSER_DOWNLOADS=$SHARNESS_TRASH_DIRECTORY/downloads
: "${BROWSER_TIMEOUT:=120}"
: "${BROWSER_KEEP:=${TEST_OUTPUT_DIRECTORY:-$QUIRE_BUILD_DIR/test-output}}"
export BROWSER_CHROMIUM BROWSER_FLAGS BROWSER_PROFILES BROWSER_DOWNLOADS

# browser__required: QUIRE_REQUIRE_BROWSER as the caller set it
# (test-lib.sh keeps the QUIRE_REQUIRE_* settings of the harness).
browser__required () {
	echo "${QUIRE_REQUIRE_BROWSER-}"
}

# browser__lock_version: the version of playwright-core that
# t/browser/package-lock.json pins.
browser__lock_version () {
	sed -n '/"node_modules\/playwright-core": {/,/}/s/^ *"version": "\([^"]*\)".*/\1/p' \
		"$TEST_DIRECTORY/browser/package-lock.json"
}

# browser__installed_version: the version in t/browser/node_modules.
browser__installed_version () {
	sed -n 's/^  "version": "\([^"]*\)".*/\1/p' \
		"$BROWSER_NODE_MODULES/playwright-core/package.json" 2>/dev/null
}

# browser__missing: what the browser tests need and this machine lacks,
# as one line of reasons.
browser__missing () {
	if ! command -v node >/dev/null 2>&1
	then
		printf " node (Debian: nodejs)"
	else
		browser__major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
		test "${browser__major:-0}" -ge 20 ||
		printf " node >= 20 for playwright-core (this one is %s)" \
			"$(node --version 2>/dev/null)"
	fi
	browser__want=$(browser__lock_version)
	browser__have=$(browser__installed_version)
	if test -z "$browser__have"
	then
		printf " %s (run %s, or %s)" \
			t/browser/node_modules/playwright-core \
			"contrib/install-deps.sh --test" \
			"npm ci --prefix t/browser"
	elif test "$browser__have" != "$browser__want"
	then
		printf " playwright-core %s in %s (%s is there; run %s)" \
			"$browser__want" t/browser/node_modules \
			"$browser__have" "npm ci --prefix t/browser"
	fi
	test -x "$BROWSER_CHROMIUM" ||
	printf " %s (Debian: chromium)" "$BROWSER_CHROMIUM"
}

# browser__node SCRIPT ARGS...: run a script of t/browser with node.
# Its TMPDIR is a short folder of its own below /tmp, removed after it:
# Chromium makes its singleton socket there, and a socket's path must
# fit in 108 bytes (the trash directory's tmp/ is too deep). Its locale
# is C.UTF-8, as a person's browser runs in a UTF-8 one: in sharness's
# C locale Chromium names the download of a file called "日本.txt"
# "download".
browser__node () {
	browser__script=$1
	shift
	browser__tmp=$(mktemp -d /tmp/quire-chromium.XXXXXX) || return 1
	LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	TMPDIR=$browser__tmp NODE_PATH=$BROWSER_NODE_MODULES \
	timeout "$BROWSER_TIMEOUT" node \
		"$TEST_DIRECTORY/browser/$browser__script" "$@"
	browser__node_rc=$?
	rm -rf "$browser__tmp"
	return $browser__node_rc
}

# browser__trial: start Chromium through Playwright once and render a
# page; on failure say why on stdout.
browser__trial () {
	mkdir -p "$BROWSER_PROFILES" || return 1
	BROWSER_SHOTS=
	export BROWSER_SHOTS
	browser__log=$SHARNESS_TRASH_DIRECTORY/.browser-probe.log
	if browser__node probe.js >"$browser__log" 2>&1 </dev/null
	then
		return 0
	fi
	printf "headless %s does not start under playwright-core: %s" \
		"$BROWSER_CHROMIUM" \
		"$({ grep -m 3 -e "^error" -e FATAL "$browser__log" ||
			tail -n 3 "$browser__log"; } | tr '\n' ' ')"
	return 1
}

browser_run () {
	browser__name=
	if test "$1" = --as
	then
		browser__name=$2
		shift 2
	fi
	: "${browser__name:=$(basename "$1" .js)}"
	BROWSER_SHOTS=$SHARNESS_TRASH_DIRECTORY/screenshots/$browser__name
	browser__keep=$BROWSER_KEEP/$(basename "$SHARNESS_TEST_FILE" .sh)
	browser__keep=$browser__keep/screenshots-$browser__name
	rm -rf "$BROWSER_SHOTS" &&
	mkdir -p "$BROWSER_SHOTS" "$BROWSER_PROFILES" "$BROWSER_DOWNLOADS" ||
	return 1
	export BROWSER_SHOTS
	browser__t0=$(date +%s)
	browser__node "$@" </dev/null
	browser__rc=$?
	echo "# $1 ($browser__name) took $(($(date +%s) - browser__t0)) s"
	test $browser__rc = 124 &&
	echo >&2 "error: $1 did not end within $BROWSER_TIMEOUT s"
	rm -rf "$browser__keep"
	mkdir -p "$browser__keep" &&
	cp -R "$BROWSER_SHOTS/." "$browser__keep/" ||
	echo >&2 "warning: cannot keep the screenshots in $browser__keep"
	return $browser__rc
}

browser__why=$(browser__missing)
if test -n "$browser__why"
then
	browser__why="cannot run the browser tests, missing:$browser__why"
else
	browser__why=$(browser__trial) && browser__why=
fi
rm -f "$SHARNESS_TRASH_DIRECTORY/.browser-probe.log"
if test -n "$browser__why"
then
	if test "$(browser__required)" = 1
	then
		echo >&2 "error: QUIRE_REQUIRE_BROWSER=1 but $browser__why"
		test_expect_success "QUIRE_REQUIRE_BROWSER=1: $browser__why" 'false'
		test_done
	fi
	skip_all="$browser__why (Debian: chromium nodejs npm;"
	skip_all="$skip_all contrib/install-deps.sh --test)"
	test_done
fi
test_set_prereq BROWSER
