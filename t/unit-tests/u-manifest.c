#include "quire-compat.h"
#include "t/unit-tests/unit-test.h"
#include "json.h"
#include "manifest-internal.h"
#include "physical-key.h"

/*
 * The shortcuts of the fast manifest readers against the long ways they
 * skip: numbers parsed without strtod(), physical keys kept without
 * parsing and formatting them, trees put in an arena, entries parsed into
 * an arena.
 */

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A random JSON number with a fraction or an exponent. */
static void random_number(struct strbuf *sb)
{
	int digits = 1 + rng() % 18, point = rng() % (digits + 1), i;

	if (rng() % 4 == 0)
		strbuf_addch(sb, '-');
	if (point == 0)
		strbuf_addch(sb, '0');
	for (i = 0; i < digits; i++) {
		int d = rng() % 10;

		if (i == point && i)
			strbuf_addch(sb, '.');
		if (i == 0 && point && !d)
			d = 1 + rng() % 9;	/* no leading zero */
		if (i == 0 && !point)
			strbuf_addch(sb, '.');
		if (rng() % 3 == 0)
			d = 0;
		if (i == 0 && point && !d)
			d = 7;
		strbuf_addch(sb, '0' + d);
	}
	if (point == digits || rng() % 2)
		strbuf_addf(sb, "e%s%d", rng() % 2 ? "-" : rng() % 2 ? "+" : "",
			    (int)(rng() % 40));
}

static void test_numbers(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	int i, bad = 0, parsed = 0;

	for (i = 0; i < 300000; i++) {
		struct json *j = NULL;
		double want;

		strbuf_reset(&sb);
		random_number(&sb);
		if (json_parse(sb.buf, sb.len, &j, &err) < 0) {
			strbuf_reset(&err);
			continue;
		}
		parsed++;
		want = strtod(sb.buf, NULL);
		if (j->type != JSON_FLOAT ||
		    memcmp(&j->u.num, &want, sizeof(want))) {
			if (bad++ < 5)
				fprintf(stderr, "# %s: %.17g, strtod %.17g\n",
					sb.buf, j->u.num, want);
		}
		json_free(j);
	}
	check(parsed > 200000);
	check(!bad);
	strbuf_release(&sb);
	strbuf_release(&err);
}

static const char *const url_parts[] = {
	"s3://", "file://", "/", "/", "/", "a", "Z9", "_", ".", "..", "-",
	"~", "?", "versionId=", "v1", "&", "=", "#", "%", "%41", "%2F",
	"%zz", " ", "+", "é", "localhost", "bucket", "?versionId=",
	"%00", "//",
};

/* A physical key read through an entry line: what the reader keeps. */
static int read_physical(const char *url, struct strbuf *got,
			 struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT;
	struct manifest_entry e;
	int ret;

	manifest_entry_init(&e);
	strbuf_addstr(&line, "{\"logical_key\": \"k\", \"physical_keys\": [");
	json_write_string_python(&line, url, strlen(url));
	strbuf_addstr(&line, "], \"size\": 1, \"hash\": {\"type\": "
		      "\"sha2-256-chunked\", \"value\": "
		      "\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}}");
	ret = manifest_parse_entry(line.buf, line.len, 0, &e, err);
	strbuf_addbuf(got, &e.physical);
	manifest_entry_release(&e);
	strbuf_release(&line);
	return ret;
}

static void test_physical(void)
{
	struct strbuf url = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT, err2 = STRBUF_INIT;
	int i, k, bad = 0, good = 0;

	for (i = 0; i < 200000; i++) {
		struct physical_key pk = PHYSICAL_KEY_INIT;
		int n = 1 + rng() % 8, r1, r2;

		strbuf_reset(&url);
		strbuf_addstr(&url, rng() % 2 ? "s3://" : "file://");
		for (k = 0; k < n; k++)
			strbuf_addstr(&url, url_parts[rng() %
						      ARRAY_SIZE(url_parts)]);
		strbuf_reset(&want);
		strbuf_reset(&got);
		strbuf_reset(&err);
		strbuf_reset(&err2);
		r1 = physical_key_parse(&pk, url.buf, url.len, &err);
		if (!r1)
			physical_key_format(&want, &pk);
		physical_key_release(&pk);
		r2 = read_physical(url.buf, &got, &err2);
		good += !r1;
		if (r1 != r2 || strcmp(want.buf, got.buf) ||
		    strcmp(err.buf, err2.buf)) {
			if (bad++ < 5)
				fprintf(stderr, "# '%s': '%s' (%d), read '%s' "
					"(%d)\n", url.buf, want.buf, r1,
					got.buf, r2);
		}
	}
	check(good > 20000);
	check(!bad);
	strbuf_release(&url);
	strbuf_release(&want);
	strbuf_release(&got);
	strbuf_release(&err);
	strbuf_release(&err2);
}

static const char *const lines[] = {
	"{\"logical_key\": \"a/b\", \"physical_keys\": "
	"[\"s3://b/a b?versionId=x\"], \"size\": 5, \"hash\": "
	"{\"type\": \"SHA256\", \"value\": \"e3b0c44298fc1c149afbf4c8996fb9"
	"2427ae41e4649b934ca495991b7852b855\"}, \"meta\": {\"user_meta\": "
	"{\"w\": 0.5, \"n\": NaN, \"k\": [1, 2.5e-3]}}}",
	"{\"logical_key\": \"d/\", \"meta\": {\"x\": 1}}",
	"{\"logical_key\": \"d/\"}",
	"{\"logical_key\": \"\\u00e9\\ud83d\\ude00\", \"physical_keys\": "
	"[\"file:///x/../y\"], \"size\": 0, \"hash\": {\"type\": "
	"\"sha2-256-chunked\", \"value\": "
	"\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}, \"meta\": null, "
	"\"meta\": {\"a\": 1, \"a\": 2}}",
	"{\"logical_key\": \"k\", \"physical_keys\": [\"s3://b/k\"], "
	"\"size\": -1, \"hash\": {}}",
	"{\"logical_key\": \"k\", \"physical_keys\": [\"s3://b/k\"], "
	"\"size\": 1, \"hash\": {\"type\": \"md5\", \"value\": \"x\"}}",
	"{\"logical_key\": \"../k\", \"physical_keys\": [\"s3://b/k\"], "
	"\"size\": 1, \"hash\": {\"type\": \"md5\", \"value\": \"x\"}}",
	"{\"logical_key\": 1}",
	"[]",
	"{\"logical_key\": \"k\", \"physical_keys\": [\"s3://b/k\"], \"size\"",
};

/* An entry parsed into an arena is the entry manifest_parse_entry() makes. */
static void test_arena_entries(void)
{
	struct json_arena *arena = json_arena_new();
	struct manifest_entry a, b;
	struct strbuf ea = STRBUF_INIT, eb = STRBUF_INIT;
	struct strbuf la = STRBUF_INIT, lb = STRBUF_INIT;
	size_t i;
	int flags;

	manifest_entry_init(&a);
	manifest_entry_init(&b);
	for (flags = 0; flags <= MANIFEST_READ_LAX; flags += MANIFEST_READ_LAX)
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		int ra, rb;

		strbuf_reset(&ea);
		strbuf_reset(&eb);
		strbuf_reset(&la);
		strbuf_reset(&lb);
		json_arena_clear(arena);
		ra = manifest_parse_entry(lines[i], strlen(lines[i]), flags,
					  &a, &ea);
		rb = manifest_parse_entry_arena(arena, lines[i],
						strlen(lines[i]), flags,
						MANIFEST_NEED_ALL, &b, &eb);
		check(ra == rb);
		check_str(eb.buf, ea.buf);
		if (ra || rb)
			continue;
		manifest_format_entry(&la, &a);
		manifest_format_entry(&lb, &b);
		check_str(lb.buf, la.buf);
		strbuf_reset(&la);
		strbuf_reset(&lb);
		if (!a.is_dir) {
			manifest_format_hash_part(&la, &a);
			manifest_format_hash_part(&lb, &b);
			check_str(lb.buf, la.buf);
			check(a.hash_known == b.hash_known);
			check(!a.hash_known || oideq(&a.oid, &b.oid));
		}
	}
	b.hash = b.meta = NULL;	/* the arena's */
	manifest_entry_release(&a);
	manifest_entry_release(&b);
	json_arena_free(arena);
	strbuf_release(&ea);
	strbuf_release(&eb);
	strbuf_release(&la);
	strbuf_release(&lb);
}

/* Trees in an arena survive clearing others, and big values too. */
static void test_arena(void)
{
	struct json_arena *arena = json_arena_new();
	struct strbuf big = STRBUF_INIT, out = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct json *j = NULL, *k = NULL;
	int i;

	strbuf_addstr(&big, "{\"s\": \"");
	for (i = 0; i < 200000; i++)
		strbuf_addch(&big, 'a' + i % 26);
	strbuf_addstr(&big, "\", \"n\": [");
	for (i = 0; i < 5000; i++)
		strbuf_addf(&big, "%s%d.25", i ? ", " : "", i);
	strbuf_addstr(&big, "]}");
	for (i = 0; i < 3; i++) {
		json_arena_clear(arena);
		check(!json_parse_arena(arena, big.buf, big.len, &j, &err));
		check(!json_parse_arena(arena, "[1, {\"a\": null}]", 16, &k,
					&err));
		strbuf_reset(&out);
		json_write_python(&out, k);
		check_str(out.buf, "[1, {\"a\": null}]");
		strbuf_reset(&out);
		json_write_python(&out, j);
		check_str(out.buf, big.buf);
	}
	check(json_parse_arena(arena, "{\"a\": [1, }", 11, &j, &err) < 0);
	check_str(err.buf, "expected a value at byte 10");
	json_arena_free(arena);
	json_arena_free(NULL);
	strbuf_release(&big);
	strbuf_release(&out);
	strbuf_release(&err);
}

int main(void)
{
	test_numbers();
	test_physical();
	test_arena_entries();
	test_arena();
	return unit_test_done();
}
