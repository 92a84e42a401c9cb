#include "quire-compat.h"
#include "t/fuzz/fuzz.h"
#include "manifest.h"
#include "logical-key.h"
#include "physical-key.h"
#include <sys/mman.h>

/*
 * A manifest as a registry hands it over: manifest_reader_open() and
 * manifest_reader_next() (with manifest_parse_entry(), physical and
 * logical keys), then manifest_load() (sorting, folder lines, duplicate
 * keys, top hash), in quire's strict mode and in MANIFEST_READ_LAX.
 *  - Every entry read satisfies the checks the mode promises, and the
 *    line quire would write for it reads back as the same entry and the
 *    same line; an s3:// physical key still names the same bucket, key
 *    and version after quire normalizes it.
 *  - manifest_load() gives the same answer streaming (seekable) and
 *    sorting; the SHA-256 it reports is that of the bytes it wrote; what
 *    it wrote loads again to the same bytes and top hash (a fixed point,
 *    as quilt3's load and dump are); a manifest strict mode takes, lax
 *    mode takes too, with the same result; and the entries it counts
 *    are the entries the reader gave.
 *  - The parallel reader (manifest_reader_next_shared(), whatever the
 *    size of its chunks) gives the serial reader's entries, results and
 *    messages, and manifest_load() the same answer whatever the size of
 *    the chunks it parses in parallel.
 *  - A refusal always says why.
 */

static int out_fd = -1;

static FILE *open_input(const char *data, size_t size)
{
	FILE *fp = fmemopen((void *)data, size, "r");

	if (!fp) {
		perror("fmemopen");
		abort();
	}
	return fp;
}

/* A physical key quire wrote is one it reads back to itself. */
static void check_physical(const struct strbuf *physical)
{
	struct physical_key pk = PHYSICAL_KEY_INIT;
	struct strbuf err = STRBUF_INIT, again = STRBUF_INIT;

	if (physical_key_parse(&pk, physical->buf, physical->len, &err) < 0) {
		fuzz_show("physical key", physical->buf, physical->len);
		fuzz_show("error", err.buf, err.len);
		FUZZ_ASSERT(!"a normalized physical key parses");
	}
	physical_key_format(&again, &pk);
	check_same_bytes(physical, &again,
			 "a normalized physical key is stable");
	physical_key_release(&pk);
	strbuf_release(&err);
	strbuf_release(&again);
}

static void check_rules(const struct manifest_entry *e, unsigned flags)
{
	struct strbuf err = STRBUF_INIT;
	int strict = !(flags & MANIFEST_READ_LAX);

	FUZZ_ASSERT(e->meta);
	if (e->is_dir) {
		FUZZ_ASSERT(e->key.len && e->key.buf[e->key.len - 1] == '/');
		FUZZ_ASSERT(!e->hash);
		FUZZ_ASSERT(!strict || !logical_key_check(e->key.buf,
							 e->key.len - 1, 0,
							 &err));
	} else {
		FUZZ_ASSERT(e->hash && e->hash->type == JSON_OBJECT);
		FUZZ_ASSERT(!strict || e->hash_known);
		FUZZ_ASSERT(!strict || e->meta->type == JSON_OBJECT);
		FUZZ_ASSERT(!strict || !logical_key_check(e->key.buf,
							 e->key.len, 0,
							 &err));
		FUZZ_ASSERT(e->hash_known ? e->oid.type != HASH_MANIFEST : 1);
		check_physical(&e->physical);
	}
	strbuf_release(&err);
}

/* The line written for e parses back to an entry written the same. */
static void check_entry(const struct manifest_entry *e, unsigned flags)
{
	struct strbuf line = STRBUF_INIT, again = STRBUF_INIT;
	struct strbuf canon = STRBUF_INIT, canon2 = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct manifest_entry e2;
	struct json *part = NULL;

	check_rules(e, flags);
	manifest_format_entry(&line, e);
	manifest_entry_init(&e2);
	if (manifest_parse_entry(line.buf, line.len, flags, &e2, &err) < 0) {
		fuzz_show("line", line.buf, line.len);
		fuzz_show("error", err.buf, err.len);
		FUZZ_ASSERT(!"the line written for an entry reads back");
	}
	manifest_format_entry(&again, &e2);
	check_same_bytes(&line, &again, "an entry line is a fixed point");
	FUZZ_ASSERT(e2.is_dir == e->is_dir && e2.size == e->size);
	FUZZ_ASSERT(e2.hash_known == e->hash_known);
	FUZZ_ASSERT(!e->hash_known || oideq(&e->oid, &e2.oid));
	if (!e->is_dir) {
		manifest_format_hash_part(&canon, e);
		manifest_format_hash_part(&canon2, &e2);
		check_same_bytes(&canon, &canon2,
				 "the top-hash part is stable");
		if (json_parse(canon.buf, canon.len, &part, &err) < 0) {
			fuzz_show("top-hash part", canon.buf, canon.len);
			FUZZ_ASSERT(!"the top-hash part is JSON");
		}
		json_free(part);
	}
	manifest_entry_release(&e2);
	strbuf_release(&line);
	strbuf_release(&again);
	strbuf_release(&canon);
	strbuf_release(&canon2);
	strbuf_release(&err);
}

/*
 * What an s3:// URL names, read plainly as quilt3 reads it: the bucket,
 * the key (percent-decoded, '/' after the bucket dropped) and the first
 * non-empty versionId, each ended by a NUL of its own in out (the key
 * itself may hold a NUL). -1 when url is not an s3:// URL.
 */
static int s3_names(const char *url, size_t len, struct strbuf *out)
{
	const char *end = memchr(url, '#', len), *p, *path, *q, *amp;

	if (len <= 5 || memcmp(url, "s3://", 5))
		return -1;
	if (!end)
		end = url + len;
	for (p = url + 5; p < end && *p != '/' && *p != '?'; p++)
		;
	strbuf_add(out, url + 5, p - (url + 5));
	strbuf_addch(out, '\0');
	path = p < end && *p == '/' ? p + 1 : p;
	for (p = path; p < end && *p != '?'; p++)
		;
	url_unquote(out, path, p - path, 0);
	strbuf_addch(out, '\0');
	for (q = p < end ? p + 1 : end; q < end; q = amp + 1) {
		amp = memchr(q, '&', end - q);
		if (!amp)
			amp = end;
		if (amp - q > 10 && !memcmp(q, "versionId=", 10)) {
			url_unquote(out, q + 10, amp - q - 10, 1);
			break;
		}
		if (amp == end)
			break;
	}
	return 0;
}

/*
 * Normalizing an s3:// physical key keeps what it names: the line as
 * read and the entry as written name the same bucket, key and version.
 */
static void check_s3_names(const struct strbuf *line,
			   const struct manifest_entry *e)
{
	struct strbuf err = STRBUF_INIT, read = STRBUF_INIT;
	struct strbuf written = STRBUF_INIT;
	struct json *obj = NULL, *pks;
	const struct json *pk;

	if (e->is_dir || json_parse(line->buf, line->len, &obj, &err) < 0)
		goto out;
	pks = json_object_get(obj, "physical_keys");
	FUZZ_ASSERT(pks && pks->type == JSON_ARRAY && pks->u.arr.nr);
	pk = pks->u.arr.v[0];
	if (s3_names(pk->u.str.s, pk->u.str.len, &read) < 0)
		goto out;
	FUZZ_ASSERT(!s3_names(e->physical.buf, e->physical.len, &written));
	if (read.len != written.len ||
	    memcmp(read.buf, written.buf, read.len)) {
		fuzz_show("physical key read", pk->u.str.s, pk->u.str.len);
		fuzz_show("physical key written", e->physical.buf,
			  e->physical.len);
		FUZZ_ASSERT(!"the physical key names the same object");
	}
out:
	json_free(obj);
	strbuf_release(&err);
	strbuf_release(&read);
	strbuf_release(&written);
}

/* Two readings of one entry are the same entry. */
static void check_same_entry(const struct manifest_entry *a,
			     const struct manifest_entry *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;

	FUZZ_ASSERT(a->is_dir == b->is_dir && a->line_nr == b->line_nr);
	FUZZ_ASSERT(a->size == b->size && a->hash_known == b->hash_known);
	FUZZ_ASSERT(!a->hash_known || oideq(&a->oid, &b->oid));
	check_same_bytes(&a->key, &b->key, "the same logical key");
	check_same_bytes(&a->physical, &b->physical, "the same physical key");
	FUZZ_ASSERT(!a->hash == !b->hash);
	if (a->hash) {
		json_write_canonical(&x, a->hash);
		json_write_canonical(&y, b->hash);
	}
	strbuf_addch(&x, '\n');
	strbuf_addch(&y, '\n');
	json_write_python(&x, a->meta);
	json_write_python(&y, b->meta);
	check_same_bytes(&x, &y, "the same hash and meta");
	strbuf_release(&x);
	strbuf_release(&y);
}

/*
 * The serial reader and the parallel one, chunks of the size chunk (as
 * QUIRE_TEST_MANIFEST_CHUNK takes it), read the same entries and stop
 * at the same line with the same message.
 */
static void check_shared(const char *data, size_t size, unsigned flags,
			 const char *chunk)
{
	struct manifest_reader r1, r2;
	struct manifest_entry e1;
	const struct manifest_entry *e2;
	struct strbuf err1 = STRBUF_INIT, err2 = STRBUF_INIT;
	FILE *f1 = open_input(data, size), *f2 = open_input(data, size);
	int ret1, ret2;

	setenv("QUIRE_TEST_MANIFEST_CHUNK", chunk, 1);
	manifest_entry_init(&e1);
	ret1 = manifest_reader_open(&r1, f1, "fuzz", flags, &err1);
	ret2 = manifest_reader_open(&r2, f2, "fuzz", flags, &err2);
	FUZZ_ASSERT(ret1 == ret2);
	while (!ret1) {
		ret1 = manifest_reader_next(&r1, &e1, &err1);
		ret2 = manifest_reader_next_shared(&r2, &e2, &err2);
		FUZZ_ASSERT(ret1 == ret2);
		check_same_bytes(&err1, &err2, "the same message");
		if (ret1 <= 0)
			break;
		check_same_entry(&e1, e2);
		ret1 = 0;
	}
	unsetenv("QUIRE_TEST_MANIFEST_CHUNK");
	manifest_entry_release(&e1);
	manifest_reader_release(&r1);
	manifest_reader_release(&r2);
	strbuf_release(&err1);
	strbuf_release(&err2);
	fclose(f1);
	fclose(f2);
}

/* Read every entry; 0 when the whole manifest reads, *entries counted. */
static int read_all(const char *data, size_t size, unsigned flags,
		    uint64_t *entries)
{
	struct manifest_reader r;
	struct manifest_entry e;
	struct strbuf err = STRBUF_INIT;
	FILE *fp = open_input(data, size);
	int ret;

	*entries = 0;
	manifest_entry_init(&e);
	ret = manifest_reader_open(&r, fp, "fuzz", flags, &err);
	if (!ret) {
		FUZZ_ASSERT(r.meta && r.meta->type == JSON_OBJECT);
		FUZZ_ASSERT(!json_object_get(r.meta, "top_hash"));
		while ((ret = manifest_reader_next(&r, &e, &err)) > 0) {
			check_entry(&e, flags);
			check_s3_names(&r.line, &e);
			if (!e.is_dir)
				(*entries)++;
		}
	}
	FUZZ_ASSERT(ret <= 0);
	FUZZ_ASSERT(!ret == !err.len);
	manifest_entry_release(&e);
	manifest_reader_release(&r);
	strbuf_release(&err);
	fclose(fp);
	return ret;
}

struct load_result {
	int ret;
	struct object_id top;
	unsigned char sha[HASH_RAWSZ];
	uint64_t entries;
	struct strbuf out;
};

static void load(const char *data, size_t size, unsigned flags,
		 int seekable, struct load_result *res)
{
	struct manifest_load_opts opts = { "fuzz", 0, 0, "/tmp", -1 };
	struct strbuf err = STRBUF_INIT;
	unsigned char sha[HASH_RAWSZ];
	FILE *fp = open_input(data, size);

	opts.read_flags = flags;
	opts.seekable = seekable;
	opts.out = out_fd;
	if (ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) < 0)
		abort();
	memset(res, 0, sizeof(*res));
	strbuf_init(&res->out, 0);
	res->ret = manifest_load(fp, &opts, &res->top, res->sha,
				 &res->entries, &err);
	fclose(fp);
	FUZZ_ASSERT(res->ret <= 0);
	FUZZ_ASSERT(!res->ret == !err.len);
	strbuf_release(&err);
	if (res->ret)
		return;
	FUZZ_ASSERT(res->top.type == HASH_MANIFEST);
	if (lseek(out_fd, 0, SEEK_SET) < 0 ||
	    strbuf_read_fd_max(&res->out, out_fd, SIZE_MAX / 2) < 0)
		abort();
	sha256_buf(res->out.buf, res->out.len, sha);
	FUZZ_ASSERT(!memcmp(sha, res->sha, sizeof(sha)));
	FUZZ_ASSERT(res->out.len && res->out.buf[res->out.len - 1] == '\n');
}

static void check_same_load(const struct load_result *a,
			    const struct load_result *b, const char *what)
{
	if (!a->ret != !b->ret)
		fuzz_fail(__FILE__, __LINE__, what);
	if (a->ret)
		return;
	FUZZ_ASSERT(oideq(&a->top, &b->top));
	FUZZ_ASSERT(a->entries == b->entries);
	check_same_bytes(&a->out, &b->out, what);
}

static void check_mode(const char *data, size_t size, unsigned flags,
		       struct load_result *streamed)
{
	struct load_result sorted, again;
	uint64_t entries;
	int read_ret = read_all(data, size, flags, &entries);

	check_shared(data, size, flags, "1");
	check_shared(data, size, flags, "61");
	check_shared(data, size, flags, "1048576");
	load(data, size, flags, 1, streamed);
	load(data, size, flags, 0, &sorted);
	check_same_load(streamed, &sorted, "streaming and sorting agree");
	strbuf_release(&sorted.out);
	setenv("QUIRE_TEST_MANIFEST_CHUNK", "1", 1);
	load(data, size, flags, 1, &sorted);
	unsetenv("QUIRE_TEST_MANIFEST_CHUNK");
	check_same_load(streamed, &sorted, "any chunk size, the same load");
	strbuf_release(&sorted.out);
	if (streamed->ret)
		return;
	FUZZ_ASSERT(!read_ret && entries == streamed->entries);
	load(streamed->out.buf, streamed->out.len, flags, 1, &again);
	check_same_load(streamed, &again, "a loaded manifest loads the same");
	strbuf_release(&again.out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct load_result strict, lax;

	if (out_fd < 0) {
		out_fd = memfd_create("fuzz-manifest", MFD_CLOEXEC);
		if (out_fd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	check_mode((const char *)data, size, 0, &strict);
	check_mode((const char *)data, size, MANIFEST_READ_LAX, &lax);
	if (!strict.ret)
		check_same_load(&strict, &lax, "lax takes what strict takes");
	strbuf_release(&strict.out);
	strbuf_release(&lax.out);
	return 0;
}
