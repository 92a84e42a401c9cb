#!/bin/sh
test_description='a hostile registry or target folder cannot make quire read, write or remove what it should not

A manifest from a registry may name any physical key and any logical key;
a target folder may hold symbolic links anywhere. quire reads entries
only from regular files, never more than their size, and from files on
this machine only inside the registry (unless told otherwise); it writes,
renames and removes nothing through a symbolic link below the target.'
. ./test-lib.sh

# entry KEY PHYSICAL SIZE HASH: one manifest line, as quilt3 writes it.
entry () {
	printf '{"logical_key": "%s", "physical_keys": ["%s"], "size": %s, "hash": {"type": "sha2-256-chunked", "value": "%s"}, "meta": {}}\n' "$@"
}

# publish REG NAME MANIFEST: put MANIFEST in the folder registry REG as
# the latest version of NAME, as another tool could; prints its top hash.
publish () {
	top=$(quire top-hash "$3") &&
	mkdir -p "$1/.quilt/packages" "$1/.quilt/named_packages/$2" &&
	cp "$3" "$1/.quilt/packages/$top" &&
	printf %s $top >"$1/.quilt/named_packages/$2/latest" &&
	printf %s $top >"$1/.quilt/named_packages/$2/1700000000" &&
	echo $top
}

test_expect_success 'setup: a secret outside the registry, a registry naming it' '
	mkdir reg &&
	echo "the secret" >secret.txt &&
	echo "{\"version\": \"v0\"}" >m &&
	entry secret.txt "file://$PWD/secret.txt" 11 "$(quire hash-object secret.txt)" >>m &&
	publish reg evil/secret m >top
'

test_expect_success 'install refuses a file outside the registry, writes nothing' '
	test_fatal 128 quire install --registry "$PWD/reg" evil/secret --to t1 &&
	test_grep "^fatal: .file://.*/secret.txt. is a file on this machine outside the registry" err &&
	test_grep "secret.txt.; quire reads such files only when you trust the registry: pass --allow-local-files" err &&
	test_path_is_missing t1/secret.txt
'

test_expect_success 'cat and readme refuse it too' '
	test_fatal 128 quire cat --registry "$PWD/reg" evil/secret secret.txt &&
	test_grep "outside the registry" err &&
	quire cat --allow-local-files --registry "$PWD/reg" evil/secret secret.txt >out &&
	test_cmp secret.txt out
'

test_expect_success 'checkout of a registry version refuses it' '
	mkdir ws &&
	quire -C ws init -q &&
	quire -C ws remote add origin "$PWD/reg" &&
	test_fatal 128 quire -C ws checkout evil/secret &&
	test_grep "outside the registry" err &&
	test_path_is_missing ws/secret.txt
'

test_expect_success 'with --allow-local-files the user trusts it: install reads it' '
	quire install --allow-local-files --registry "$PWD/reg" evil/secret --to t2 2>err &&
	test_cmp secret.txt t2/secret.txt
'

test_expect_success 'a key that climbs out of the registry with .. is refused' '
	echo "{\"version\": \"v0\"}" >m &&
	entry secret.txt "file://$PWD/reg/../secret.txt" 11 "$(quire hash-object secret.txt)" >>m &&
	publish reg evil/dots m >/dev/null &&
	test_fatal 128 quire install --registry "$PWD/reg" evil/dots --to t3 &&
	test_grep "outside the registry" err
'

test_expect_success 'a device as an entry: refused at once, nothing read' '
	echo "bytes no one has" >unseen &&
	echo "{\"version\": \"v0\"}" >m &&
	entry zero "file:///dev/zero" 1073741824 "$(quire hash-object unseen)" >>m &&
	publish reg evil/zero m >/dev/null &&
	test_fatal 128 timeout 60 quire install --allow-local-files \
		--registry "$PWD/reg" evil/zero --to t5 &&
	test_grep "/dev/zero. is not a regular file" err &&
	du -sk .cache >du &&
	test $(cut -f1 du) -lt 10240
'

test_expect_success 'a FIFO as an entry: refused, never waited on' '
	mkfifo fifo &&
	echo "{\"version\": \"v0\"}" >m &&
	entry fifo "file://$PWD/fifo" 5 "$(quire hash-object unseen)" >>m &&
	publish reg evil/fifo m >/dev/null &&
	test_fatal 128 timeout 60 quire install --allow-local-files \
		--registry "$PWD/reg" evil/fifo --to t6 &&
	test_grep "fifo. is not a regular file" err
'

test_expect_success 'a file larger than its entry is not read past its size' '
	genfile 5000000 >reg/big &&
	echo "{\"version\": \"v0\"}" >m &&
	entry big "file://$PWD/reg/big" 100 "$(quire hash-object unseen)" >>m &&
	publish reg evil/big m >/dev/null &&
	test_fatal 128 quire install --registry "$PWD/reg" evil/big --to t7 &&
	test_grep "holds 5000000 bytes, not the 100 of the entry" err &&
	test_path_is_missing t7/big
'

test_expect_success 'logical keys that are paths out of the target are refused first' '
	echo hi >reg/hi &&
	h=$(quire hash-object reg/hi) &&
	for k in "../escape" "/abs/file" "a/../../x" "a/./b" "a//b" \
		 ".quire/config" "sub/.quire/x" "a\\\\b"
	do
		echo "{\"version\": \"v0\"}" >m &&
		entry ok "file://$PWD/reg/hi" 3 $h >>m &&
		entry "$k" "file://$PWD/reg/hi" 3 $h >>m &&
		publish reg evil/keys m >/dev/null &&
		rm -rf t8 &&
		test_fatal 128 quire install --registry "$PWD/reg" evil/keys --to t8 &&
		test_path_is_missing t8/ok &&
		test_path_is_missing escape &&
		test_path_is_missing /abs/file || return 1
	done
'

test_expect_success 'a key that is both a file and a folder is refused before any write' '
	h=$(quire hash-object reg/hi) &&
	echo "{\"version\": \"v0\"}" >m &&
	entry a "file://$PWD/reg/hi" 3 $h >>m &&
	entry a/b "file://$PWD/reg/hi" 3 $h >>m &&
	entry c "file://$PWD/reg/hi" 3 $h >>m &&
	top=$(sha256sum m | cut -c1-64) &&
	mkdir -p reg/.quilt/named_packages/evil/both &&
	cp m reg/.quilt/packages/$top &&
	printf %s $top >reg/.quilt/named_packages/evil/both/latest &&
	test_fatal 128 quire install --registry "$PWD/reg" evil/both --to t10 &&
	test_grep "both a file and a folder" err &&
	test_path_is_missing t10/a &&
	test_path_is_missing t10/c
'

test_expect_success 'a very long key fails cleanly, with nothing half-written' '
	long=$(printf "%0300d" 0) &&
	echo "{\"version\": \"v0\"}" >m &&
	entry "$long" "file://$PWD/reg/hi" 3 $(quire hash-object reg/hi) >>m &&
	publish reg evil/long m >/dev/null &&
	test_fatal 128 quire install --registry "$PWD/reg" evil/long --to t9 &&
	test_grep "File name too long" err &&
	find t9 -name ".quire-tmp-*" >left &&
	test_line_count = 0 left
'

# A package with sub/x.txt and top.txt, pushed as v1; v2 drops sub/.
test_expect_success 'setup: a package whose v2 drops a folder' '
	mkdir -p src/sub &&
	echo x >src/sub/x.txt &&
	echo top >src/top.txt &&
	quire -C src init -q ns/links &&
	quire -C src add -q sub top.txt &&
	quire -C src commit -q -m v1 >v1 &&
	quire -C src push "$PWD/reg" 2>err &&
	quire -C src rm -q sub/x.txt &&
	quire -C src commit -q -m v2 >v2 &&
	quire -C src push "$PWD/reg" 2>err &&
	mkdir outside &&
	echo "not yours" >outside/x.txt
'

test_expect_success 'a folder link in the target: install never writes through it' '
	mkdir d1 &&
	ln -s "$PWD/outside" d1/sub &&
	test_fatal 128 quire install --registry "$PWD/reg" ns/links@$(cat v1) --to d1 &&
	test_fatal 128 quire install --force --registry "$PWD/reg" ns/links@$(cat v1) --to d1 &&
	test_grep "sub. is a symbolic link, which quire never writes through" err &&
	echo "not yours" >expect &&
	test_cmp expect outside/x.txt &&
	ls outside >files &&
	echo x.txt >expect &&
	test_cmp expect files
'

test_expect_success 'install --force never removes a file through a folder link' '
	quire install --registry "$PWD/reg" ns/links@$(cat v1) --to d2 2>err &&
	rm -rf d2/sub &&
	ln -s "$PWD/outside" d2/sub &&
	quire install --force --registry "$PWD/reg" ns/links --to d2 2>err &&
	echo "not yours" >expect &&
	test_cmp expect outside/x.txt
'

test_expect_success 'checkout --force never removes a file through a folder link' '
	quire -C src checkout -q --force $(cat v1) &&
	mv src/sub src/sub-real &&
	ln -s "$PWD/outside" src/sub &&
	quire -C src checkout -q --force $(cat v2) &&
	test_cmp expect outside/x.txt &&
	rm src/sub && mv src/sub-real src/sub
'

test_expect_success 'a file link in the target is replaced, never written through' '
	echo "keep me" >outside/top.txt &&
	mkdir d3 &&
	ln -s "$PWD/outside/top.txt" d3/top.txt &&
	test_fatal 128 quire install --registry "$PWD/reg" ns/links --to d3 &&
	quire install --force --registry "$PWD/reg" ns/links --to d3 2>err &&
	echo "keep me" >expect &&
	test_cmp expect outside/top.txt &&
	test ! -h d3/top.txt &&
	echo top >expect &&
	test_cmp expect d3/top.txt
'

test_done
