#!/bin/sh
# Install what quire needs to build, test and document itself, from
# Debian packages. Safe to run again; does nothing when all is there.
#
#   contrib/install-deps.sh          build, tests that need no server, docs
#   contrib/install-deps.sh --test   also the S3 test server (t/lib-s3.sh):
#                                    OpenStack Swift with s3api, memcached,
#                                    and the aws cli and boto3 as clients;
#                                    zsh and man-db for the completion and
#                                    'quire help' tests; Python's headers
#                                    (make python), pytest and the modules
#                                    the Python tests use (t9950); fuse3,
#                                    attr (getfattr) and s3fs for the
#                                    'quire mount' tests and benchmark;
#                                    wrk for the 'quire serve' benchmark;
#                                    chromium, nodejs and npm for the
#                                    browser tests of 'quire serve'
#                                    (t/lib-browser.sh), then 'npm ci'
#                                    in t/browser for the playwright-core
#                                    its package-lock.json pins, which
#                                    drives Debian's chromium (no browser
#                                    is downloaded); MariaDB and
#                                    PostgreSQL servers and clients, and
#                                    python3-pymysql and python3-psycopg2,
#                                    for the tests of database sources
#                                    (t/lib-db.sh)
#   contrib/install-deps.sh --fuzz   also clang and its libFuzzer and
#                                    sanitizer runtimes (make fuzz)
set -e

PKGS="build-essential pkg-config libcurl4-openssl-dev libsqlite3-dev \
libssl-dev libexpat1-dev libfuse3-dev libmicrohttpd-dev \
libcmark-gfm-dev libcmark-gfm-extensions-dev libmariadb-dev libpq-dev \
sharness asciidoctor python3 sqlite3 git"
TEST_PKGS="swift swift-proxy swift-object swift-container swift-account \
python3-swift memcached awscli python3-boto3 zsh man-db \
python3-dev python3-pytest python3-numpy python3-torch python3-pandas \
python3-dask python3-distributed python3-fsspec fuse3 attr s3fs wrk \
chromium nodejs npm mariadb-server mariadb-client postgresql \
postgresql-client python3-pymysql python3-psycopg2"
FUZZ_PKGS="clang libclang-rt-14-dev"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BROWSER=""
for arg; do
	case "$arg" in
	--test) PKGS="$PKGS $TEST_PKGS"; BROWSER=t ;;
	--fuzz) PKGS="$PKGS $FUZZ_PKGS" ;;
	*) echo "usage: $0 [--test] [--fuzz]" >&2; exit 2 ;;
	esac
done

# browser_deps: the packages of t/browser as its package-lock.json pins
# them, unless node_modules holds them already (npm ci records what it
# installed in node_modules/.package-lock.json). No install script runs:
# the tests use Debian's chromium, never a downloaded browser.
browser_deps() {
	dir="$ROOT/t/browser"
	have="$dir/node_modules/.package-lock.json"
	pkgs='/^    "node_modules\//,$p'
	if [ -f "$have" ] &&
	   [ "$(sed -n "$pkgs" "$dir/package-lock.json")" = \
	     "$(sed -n "$pkgs" "$have")" ]; then
		return 0
	fi
	echo "installing t/browser/node_modules (npm ci)" >&2
	npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund >&2
}

missing=""
for p in $PKGS; do
	# Node.js may come from elsewhere (NodeSource's nodejs bundles npm
	# and conflicts with Debian's npm package): a working command is
	# enough.
	case "$p" in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "installing:$missing" >&2
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >&2
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
[ -z "$BROWSER" ] || browser_deps
