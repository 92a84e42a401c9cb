#!/bin/sh
test_description='handler specs: quire set --spec, ls -l, meta --handler, and their round trip'
. ./test-lib.sh

# handler_is KEY JSON: 'quire meta --handler KEY' prints exactly JSON.
handler_is () {
	echo "$2" >expect-h &&
	quire meta --handler "$1" >actual-h &&
	test_cmp expect-h actual-h
}

# user_meta_is KEY JSON: 'quire meta KEY' prints exactly JSON.
user_meta_is () {
	echo "$2" >expect-u &&
	quire meta "$1" >actual-u &&
	test_cmp expect-u actual-u
}

# long_line NAME FILE [SPEC]: the line 'quire ls -l' prints for an entry
# NAME with the bytes of FILE, and the handler SPEC if one is given.
long_line () {
	printf "%16d %44s %s" $(wc -c <"$2") "$(quire hash-object "$2")" "$1" &&
	if test -n "$3"
	then
		printf "\thandler=%s" "$3"
	fi &&
	echo
}

# entry_line MANIFEST KEY: the manifest line of the entry KEY.
entry_line () {
	grep "^{\"logical_key\": \"$2\", " "$1"
}

test_expect_success 'setup: a workspace with files to stage' '
	mkdir w &&
	(
		cd w &&
		quire init -q ns/handlers &&
		printf "II*\\0frame one" >scan.tif &&
		printf "II*\\0frame two" >frame.tif &&
		printf "\\223NUMPY array" >arr.npy &&
		printf "a,b\\n1,2\\n" >table.csv &&
		echo notes >notes.txt
	)
'

test_expect_success 'set --spec stores a handler whose kwargs default to {}' '
	(
		cd w &&
		quire set --spec AD_TIFF img/scan.tif scan.tif &&
		handler_is img/scan.tif "{\"spec\": \"AD_TIFF\", \"kwargs\": {}}" &&
		user_meta_is img/scan.tif "{}"
	)
'

test_expect_success 'set --spec-kwargs stores the object as given; --meta goes beside it' '
	(
		cd w &&
		quire set --meta "{\"detector\": \"pilatus\"}" --spec AD_TIFF \
			--spec-kwargs "{\"frame\": 0, \"swap\": false}" \
			data/frame.tif frame.tif &&
		handler_is data/frame.tif \
			"{\"spec\": \"AD_TIFF\", \"kwargs\": {\"frame\": 0, \"swap\": false}}" &&
		user_meta_is data/frame.tif "{\"detector\": \"pilatus\"}"
	)
'

test_expect_success 'set without a path changes the handler of a staged entry only' '
	(
		cd w &&
		quire set --meta "{\"cols\": 2}" table.csv table.csv &&
		handler_is table.csv "{}" &&
		quire set --spec pandas.read_csv \
			--spec-kwargs "{\"sep\": \",\"}" table.csv &&
		handler_is table.csv \
			"{\"spec\": \"pandas.read_csv\", \"kwargs\": {\"sep\": \",\"}}" &&
		user_meta_is table.csv "{\"cols\": 2}" &&
		quire set --spec pandas.read_table table.csv &&
		handler_is table.csv \
			"{\"spec\": \"pandas.read_table\", \"kwargs\": {}}" &&
		user_meta_is table.csv "{\"cols\": 2}"
	)
'

test_expect_success '--no-spec removes the handler and keeps the user metadata' '
	(
		cd w &&
		quire set --meta "{\"rows\": 3}" --spec npy arr.npy arr.npy &&
		handler_is arr.npy "{\"spec\": \"npy\", \"kwargs\": {}}" &&
		quire set --no-spec arr.npy &&
		handler_is arr.npy "{}" &&
		user_meta_is arr.npy "{\"rows\": 3}" &&
		quire set --no-spec arr.npy &&
		handler_is arr.npy "{}" &&
		quire set --spec npy --spec-kwargs "{\"mmap_mode\": \"r\"}" \
			arr.npy &&
		handler_is arr.npy \
			"{\"spec\": \"npy\", \"kwargs\": {\"mmap_mode\": \"r\"}}"
	)
'

test_expect_success 'of --spec and --no-spec the last one counts; --no-spec takes a path too' '
	(
		cd w &&
		quire set --spec x --no-spec notes.txt notes.txt &&
		handler_is notes.txt "{}" &&
		quire set --no-spec --spec y notes.txt &&
		handler_is notes.txt "{\"spec\": \"y\", \"kwargs\": {}}" &&
		quire set --no-spec notes.txt notes.txt &&
		handler_is notes.txt "{}"
	)
'

test_expect_success 'staging a key from another file keeps its handler' '
	(
		cd w &&
		cp scan.tif scan2.tif &&
		quire set img/scan.tif scan2.tif &&
		handler_is img/scan.tif "{\"spec\": \"AD_TIFF\", \"kwargs\": {}}" &&
		quire set img/scan.tif scan.tif &&
		handler_is img/scan.tif "{\"spec\": \"AD_TIFF\", \"kwargs\": {}}"
	)
'

test_expect_success 'a spec of 200 printable characters is accepted' '
	(
		cd w &&
		spec=$(printf "%0198d" 0) &&
		spec="a.${spec}" &&
		quire set --spec "$spec" long.txt notes.txt &&
		handler_is long.txt "{\"spec\": \"$spec\", \"kwargs\": {}}" &&
		quire rm -q long.txt
	)
'

test_expect_success 'a bad spec is fatal and stages nothing' '
	(
		cd w &&
		for spec in "" "has space" "$(printf "tab\\there")" \
			"$(printf "del\\177")" "caf$(printf "\\303\\251")" \
			"$(printf "%0201d" 0)"
		do
			test_fatal 128 quire set --spec "$spec" bad.txt notes.txt &&
			test_grep "^fatal: invalid handler spec" err &&
			test_grep "like .AD_TIFF. or .npy.\$" err &&
			test_fatal 128 quire meta bad.txt &&
			test_grep "is not staged" err || return 1
		done &&
		test_fatal 128 quire set --spec "has space" img/scan.tif &&
		test_grep "invalid handler spec .has space.: it contains a space" err &&
		test_fatal 128 quire set --spec "" img/scan.tif &&
		test_grep "invalid handler spec ..: it is empty" err &&
		test_fatal 128 quire set --spec "$(printf "%0201d" 0)" img/scan.tif &&
		test_grep "it is 201 characters long, more than 200" err &&
		handler_is img/scan.tif "{\"spec\": \"AD_TIFF\", \"kwargs\": {}}"
	)
'

test_expect_success '--spec-kwargs that is not a JSON object is fatal' '
	(
		cd w &&
		for kw in "[1]" "\"frame\"" 3 null
		do
			test_fatal 128 quire set --spec npy --spec-kwargs "$kw" \
				bad.npy arr.npy &&
			test_grep "^fatal: --spec-kwargs must be a JSON object, like ." err &&
			test_fatal 128 quire set --spec npy --spec-kwargs "$kw" \
				arr.npy &&
			test_grep "^fatal: --spec-kwargs must be a JSON object" err ||
			return 1
		done &&
		test_fatal 128 quire set --spec npy --spec-kwargs "{" arr.npy &&
		test_grep "^fatal: --spec-kwargs is not valid JSON" err &&
		test_fatal 128 quire meta bad.npy &&
		handler_is arr.npy \
			"{\"spec\": \"npy\", \"kwargs\": {\"mmap_mode\": \"r\"}}"
	)
'

test_expect_success '--spec-kwargs without --spec is fatal' '
	(
		cd w &&
		test_fatal 128 quire set --spec-kwargs "{}" other.txt notes.txt &&
		test_grep "^fatal: --spec-kwargs needs --spec; .*--spec npy" err &&
		test_fatal 128 quire meta other.txt &&
		test_fatal 128 quire set --spec-kwargs "{}" arr.npy &&
		test_grep "^fatal: --spec-kwargs needs --spec" err &&
		test_fatal 128 quire set --spec npy --no-spec --spec-kwargs "{}" \
			arr.npy &&
		test_grep "^fatal: --spec-kwargs needs --spec" err &&
		handler_is arr.npy \
			"{\"spec\": \"npy\", \"kwargs\": {\"mmap_mode\": \"r\"}}"
	)
'

test_expect_success 'without a path the key must be staged already' '
	(
		cd w &&
		test_fatal 128 quire set --spec npy nope.npy &&
		test_grep "^fatal: .nope.npy. is not staged; give the path of its file" err &&
		test_fatal 128 quire set --no-spec nope.npy &&
		test_grep "^fatal: .nope.npy. is not staged" err &&
		test_fatal 128 quire meta nope.npy
	)
'

test_expect_success 'a key alone, without --spec or --no-spec, is a usage error' '
	(
		cd w &&
		test_expect_code 129 quire set arr.npy 2>err &&
		test_grep "^usage: quire set" err &&
		test_expect_code 129 quire set --meta "{}" arr.npy 2>err &&
		test_expect_code 129 quire set --spec npy a b c 2>err &&
		test_expect_code 129 quire set arr.npy --spec 2>err &&
		user_meta_is arr.npy "{\"rows\": 3}"
	)
'

test_expect_success 'meta --handler refuses what is not an entry, and extra operands' '
	(
		cd w &&
		test_expect_code 129 quire meta --handler 2>err &&
		test_expect_code 129 quire meta --handler arr.npy "{}" 2>err &&
		test_expect_code 129 quire meta --handler --package 2>err &&
		test_grep "cannot be used together" err &&
		test_fatal 128 quire meta --handler img/ &&
		test_grep "^fatal: .img/. is a folder, and only entries have a handler" err &&
		test_fatal 128 quire meta --handler nope.npy &&
		test_grep "is not staged" err
	)
'

test_expect_success 'quire meta KEY JSON replaces the user metadata and keeps the handler' '
	(
		cd w &&
		quire meta img/scan.tif "{\"frames\": 1}" &&
		user_meta_is img/scan.tif "{\"frames\": 1}" &&
		handler_is img/scan.tif "{\"spec\": \"AD_TIFF\", \"kwargs\": {}}"
	)
'

test_expect_success 'commit writes the handler into the entry meta, in stored order' '
	(
		cd w &&
		quire commit -q -m handlers >../v1 &&
		quire cat-manifest HEAD >../m1
	) &&
	entry_line m1 data/frame.tif >line &&
	test_grep "\"meta\": {\"handler\": {\"spec\": \"AD_TIFF\", \"kwargs\": {\"frame\": 0, \"swap\": false}}, \"user_meta\": {\"detector\": \"pilatus\"}}}\$" line &&
	entry_line m1 arr.npy >line &&
	test_grep "\"meta\": {\"user_meta\": {\"rows\": 3}, \"handler\": {\"spec\": \"npy\", \"kwargs\": {\"mmap_mode\": \"r\"}}}}\$" line &&
	entry_line m1 img/scan.tif >line &&
	test_grep "\"meta\": {\"handler\": {\"spec\": \"AD_TIFF\", \"kwargs\": {}}, \"user_meta\": {\"frames\": 1}}}\$" line &&
	entry_line m1 notes.txt >line &&
	test_grep "\"meta\": {}}\$" line
'

test_expect_success PYTHON3 'the manifest lines are what Python json.dumps writes' '
	python3 -c "
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding=\"utf-8\"), 1):
    line = line.rstrip(\"\\n\")
    if json.dumps(json.loads(line)) != line:
        sys.exit(\"line %d differs\" % n)
" m1
'

test_expect_success 'ls -l shows handler=SPEC after a tab, other lines as before' '
	(
		cd w &&
		quire ls -Rl HEAD >../out &&
		{
			long_line arr.npy arr.npy npy &&
			long_line data/frame.tif frame.tif AD_TIFF &&
			long_line img/scan.tif scan.tif AD_TIFF &&
			long_line notes.txt notes.txt &&
			long_line table.csv table.csv pandas.read_table
		} >../expect-rl &&
		quire ls -l HEAD >../out-top &&
		{
			long_line arr.npy arr.npy npy &&
			printf "%-16s %44s %s\n" - - data/ &&
			printf "%-16s %44s %s\n" - - img/ &&
			long_line notes.txt notes.txt &&
			long_line table.csv table.csv pandas.read_table
		} >../expect-top &&
		quire ls -R HEAD >../out-short
	) &&
	test_cmp expect-rl out &&
	test_cmp expect-top out-top &&
	printf "%s\n" arr.npy data/frame.tif img/scan.tif notes.txt table.csv \
		>expect-short &&
	test_cmp expect-short out-short
'

test_expect_success 'ls -l shows a spec another tool wrote quoted, and no bad handler' '
	(
		cd w &&
		h=$(quire hash-object notes.txt) &&
		{
			echo "{\"version\": \"v0\"}" &&
			for k in a b c d
			do
				case $k in
				a) m="{\"handler\": {\"spec\": \"two words\", \"kwargs\": {}}}" ;;
				b) m="{\"handler\": {\"spec\": 5}}" ;;
				c) m="{\"handler\": \"npy\"}" ;;
				d) m="{\"handler\": {\"spec\": \"h5py\"}}" ;;
				esac &&
				echo "{\"logical_key\": \"$k\", \"physical_keys\": [\"file:///nowhere/$k\"], \"size\": 6, \"hash\": {\"type\": \"sha2-256-chunked\", \"value\": \"$h\"}, \"meta\": $m}" ||
				return 1
			done
		} >../other.jsonl &&
		top=$(quire write-manifest ../other.jsonl) &&
		quire ls -l "$top" >../out &&
		{
			long_line a notes.txt "\"two words\"" &&
			long_line b notes.txt &&
			long_line c notes.txt &&
			long_line d notes.txt h5py
		} >../expect
	) &&
	test_cmp expect out
'

test_expect_success 'push to a folder registry and install elsewhere keep the handler' '
	(
		cd w &&
		quire push -q "$PWD/../reg" >/dev/null
	) &&
	entry_line "reg/.quilt/packages/$(cat v1)" data/frame.tif >line &&
	test_grep "\"meta\": {\"handler\": {\"spec\": \"AD_TIFF\", \"kwargs\": {\"frame\": 0, \"swap\": false}}, \"user_meta\": {\"detector\": \"pilatus\"}}}\$" line &&
	quire ls -Rl --registry ./reg ns/handlers >out &&
	test_cmp expect-rl out &&
	quire install -q --registry ./reg --to inst ns/handlers &&
	(
		cd inst &&
		handler_is data/frame.tif \
			"{\"spec\": \"AD_TIFF\", \"kwargs\": {\"frame\": 0, \"swap\": false}}" &&
		handler_is notes.txt "{}" &&
		quire ls -Rl HEAD >../out
	) &&
	test_cmp expect-rl out
'

test_expect_success 'removing a handler is a metadata change; checkout brings it back' '
	(
		cd w &&
		quire set --no-spec img/scan.tif &&
		quire status --porcelain >../status &&
		quire commit -q -m nohandler >../v2 &&
		quire ls -l HEAD img >../out &&
		handler_is img/scan.tif "{}" &&
		quire checkout -q $(cat ../v1) &&
		handler_is img/scan.tif "{\"spec\": \"AD_TIFF\", \"kwargs\": {}}" &&
		quire ls -l HEAD img >../out-back
	) &&
	echo "m img/scan.tif" >expect &&
	test_cmp expect status &&
	test "$(cat v1)" != "$(cat v2)" &&
	(cd w && long_line scan.tif scan.tif) >expect &&
	test_cmp expect out &&
	(cd w && long_line scan.tif scan.tif AD_TIFF) >expect &&
	test_cmp expect out-back
'

test_expect_success 'merge stages the handlers of the package it merges' '
	mkdir m &&
	(
		cd m &&
		quire init -q ns/merged &&
		quire merge --registry ../reg --prefix from ns/handlers 2>/dev/null &&
		handler_is from/arr.npy \
			"{\"spec\": \"npy\", \"kwargs\": {\"mmap_mode\": \"r\"}}" &&
		quire commit -q -m merged >/dev/null &&
		quire cat-manifest HEAD >../m3
	) &&
	entry_line m3 from/arr.npy >line &&
	test_grep "\"meta\": {\"user_meta\": {\"rows\": 3}, \"handler\": {\"spec\": \"npy\", \"kwargs\": {\"mmap_mode\": \"r\"}}}}\$" line
'

test_done
