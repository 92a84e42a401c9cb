#include "quire-compat.h"
#include "fetch.h"
#include "chunked-hash.h"
#include "manifest.h"
#include "objects/odb.h"
#include "physical-key.h"
#include "registry.h"
#include "s3/object.h"
#include "tempfile.h"

/*
 * Downloads of one manifest or S3 object whose bytes do not verify: a
 * byte damaged on the way is fetched again, and only bytes that two
 * downloads agree on are blamed on the copy stored at the source.
 */
#define FETCH_ATTEMPTS 3

/*
 * One download of the manifest top into a new temp file: *sha gets the
 * SHA-256 of the bytes as they arrived (*arrived is set once they have),
 * *got what they hash to as a manifest, *out its quilt3 bytes and bytes
 * their SHA-256. QERR_CORRUPT after arriving means the bytes are not a
 * manifest (err says why); any other error is the transfer's or this
 * machine's.
 */
static int download_manifest(struct odb *dst, struct registry *reg,
			     const struct object_id *top,
			     struct tempfile **out, int *arrived,
			     struct object_id *sha, struct object_id *got,
			     unsigned char *bytes, struct strbuf *err)
{
	struct manifest_load_opts opts = { 0 };
	struct object_id recorded;
	struct tempfile *raw;
	FILE *fp = NULL;
	int ret, fd = -1;

	*arrived = 0;
	raw = create_tempfile_in(dst->tmpdir, "fetch_", 0600, err);
	*out = raw ? create_tempfile_in(dst->tmpdir, "manifest_", 0600, err) :
	       NULL;
	if (!*out) {
		ret = QERR_GENERIC;
		goto done;
	}
	ret = registry_get_manifest(reg, top, raw->fd, &recorded, err);
	if (!ret)
		ret = hash_fd(raw->fd, raw->path, HASH_SHA256, sha, err);
	if (ret)
		goto done;
	*arrived = 1;
	/* a byte changed on the way, where the top hash does not look */
	if (recorded.type == HASH_SHA256 && !oideq(sha, &recorded)) {
		strbuf_addf(err, "its bytes hash to %s, not to the %s recorded "
			    "when it was pushed", oid_to_hex(sha),
			    oid_to_hex(&recorded));
		ret = QERR_CORRUPT;
		goto done;
	}
	fd = dup(raw->fd);
	fp = fd < 0 ? NULL : fdopen(fd, "r");
	if (!fp || fseeko(fp, 0, SEEK_SET)) {
		strbuf_addf(err, "cannot read back the fetched manifest");
		ret = QERR_GENERIC;
		goto done;
	}
	opts.name = oid_to_hex(top);
	opts.seekable = 1;
	opts.tmpdir = dst->tmpdir;
	opts.out = (*out)->fd;
	ret = manifest_load(fp, &opts, got, bytes, NULL, err);
done:
	if (fp)
		fclose(fp);
	else if (fd >= 0)
		close(fd);
	delete_tempfile(&raw);
	return ret;
}

int fetch_manifest(struct odb *dst, struct registry *reg,
		   const struct object_id *top, struct strbuf *err)
{
	struct tempfile *out = NULL;
	struct object_id sha[FETCH_ATTEMPTS], got;
	unsigned char bytes[HASH_RAWSZ];
	struct strbuf detail = STRBUF_INIT, why = STRBUF_INIT;
	const char *url = registry_url(reg);
	char hex[HASH_HEXSZ + 1];
	int ret, arrived, n, i;

	if (odb_has_manifest(dst, top))
		return 0;
	ret = odb_create(dst, err);
	if (ret)
		return ret;
	xsnprintf(hex, sizeof(hex), "%s", oid_to_hex(top));
	for (n = 0; n < FETCH_ATTEMPTS; n++) {
		strbuf_reset(&detail);
		strbuf_reset(&why);
		delete_tempfile(&out);
		ret = download_manifest(dst, reg, top, &out, &arrived, &sha[n],
					&got, bytes, &detail);
		if (!ret && oideq(&got, top))
			break;
		if (ret && (!arrived || ret != QERR_CORRUPT)) {
			strbuf_addbuf(err, &detail);
			goto done;
		}
		if (ret)
			strbuf_addf(&why, "is not a manifest (%s)", detail.buf);
		else
			strbuf_addf(&why, "hashes to %s", oid_to_hex(&got));
		/* the same wrong bytes twice: what the registry holds */
		for (i = 0; i < n && !oideq(&sha[i], &sha[n]); i++)
			;
		if (i < n) {
			strbuf_addf(err, "the manifest %s stored in %s %s: the "
				    "registry's copy is corrupt; run 'quire "
				    "fsck --registry %s'", hex, url, why.buf,
				    url);
			ret = QERR_CORRUPT;
			goto done;
		}
	}
	if (n == FETCH_ATTEMPTS) {
		strbuf_addf(err, "the transfer of the manifest %s from %s was "
			    "corrupted %d times (no two downloads agreed; the "
			    "last one %s); try again", hex, url, n, why.buf);
		ret = QERR_GENERIC;
		goto done;
	}
	ret = odb_write_manifest(dst, &out, top, bytes, err);
done:
	delete_tempfile(&out);
	strbuf_release(&detail);
	strbuf_release(&why);
	return ret;
}

int fetch_open_local(const char *path, const char *physical, uint64_t size,
		     int *fd, struct strbuf *err)
{
	int in = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), ret = 0;
	struct stat st;

	if (in < 0) {
		strbuf_addf(err, "cannot read '%s': %s", path,
			    strerror(errno));
		return errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
	}
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		strbuf_addf(err, "'%s' is not a regular file; quire reads "
			    "entries only from files", physical);
		ret = QERR_CORRUPT;
	} else if (size != UINT64_MAX && (uint64_t)st.st_size != size) {
		strbuf_addf(err, "'%s' holds %" PRIu64 " bytes, not the %"
			    PRIu64 " of the entry", physical,
			    (uint64_t)st.st_size, size);
		ret = QERR_CORRUPT;
	}
	if (ret)
		close(in);
	else
		*fd = in;
	return ret;
}

/* Copy a local (file://) object into out, checked as above. */
static int copy_local(const struct physical_key *pk, const char *physical,
		      uint64_t size, int out, struct strbuf *err)
{
	int in, ret = fetch_open_local(pk->path, physical, size, &in, err);
	int64_t n;

	if (ret)
		return ret;
	n = copy_fd_max(in, out, size == UINT64_MAX ? size : size + 1);
	if (n < 0) {
		strbuf_addf(err, "cannot copy '%s': %s", physical,
			    strerror(errno));
		ret = QERR_GENERIC;
	} else if (size != UINT64_MAX && (uint64_t)n != size) {
		strbuf_addf(err, "'%s' changed size while it was read",
			    physical);
		ret = QERR_CORRUPT;
	}
	close(in);
	return ret;
}

/*
 * Where fetched objects go: into the store cache, or (cache NULL) into
 * verified temporary files in tmpdir that the caller takes.
 */
struct fetch_to {
	struct odb *cache;
	const char *tmpdir;
	mode_t mode;
};

struct pending {
	struct fetch_item *it;
	struct physical_key pk;
	struct tempfile *tmp;
	struct s3_object o;
	int s3;
	/* S3: what the downloads whose bytes did not verify hashed to */
	struct object_id bad[FETCH_ATTEMPTS];
	int nr_bad;
};

/* Is p an S3 object still to download (first, or again)? */
static int s3_due(const struct pending *p)
{
	return p->s3 && p->tmp;
}

/* Download the S3 objects due among p[0..n) together. */
static void fetch_s3(struct pending *p, size_t n, struct strbuf *err)
{
	struct s3_object *objs;
	struct s3_client *c;
	size_t i, ns = 0;

	for (i = 0; i < n; i++)
		ns += s3_due(&p[i]);
	if (!ns)
		return;
	c = s3_client_get(err);
	objs = xcalloc(ns, sizeof(*objs));
	for (i = 0, ns = 0; i < n; i++) {
		if (!s3_due(&p[i]))
			continue;
		s3_object_init(&objs[ns], p[i].pk.bucket, p[i].pk.path,
			       p[i].tmp->fd);
		objs[ns].version = p[i].pk.version_id;
		objs[ns].size = p[i].it->size;
		ns++;
	}
	if (c)
		s3_get_objects(c, objs, ns);
	for (i = 0, ns = 0; i < n; i++) {
		if (!s3_due(&p[i]))
			continue;
		p[i].it->ret = c ? objs[ns].ret : QERR_USAGE;
		if (c && objs[ns].ret == QERR_NOTFOUND)
			strbuf_addf(&p[i].it->err, "%s does not exist",
				    p[i].it->physical);
		else if (c)
			strbuf_addbuf(&p[i].it->err, &objs[ns].err);
		else
			strbuf_addbuf(&p[i].it->err, err);
		s3_object_release(&objs[ns++]);
	}
	free(objs);
}

static void fetch_begin(const struct fetch_to *to, struct pending *p)
{
	struct fetch_item *it = p->it;

	it->ret = physical_key_parse(&p->pk, it->physical,
				     strlen(it->physical), &it->err);
	if (it->ret)
		return;
	p->tmp = create_tempfile_in(to->tmpdir, "obj_", to->mode, &it->err);
	if (!p->tmp) {
		it->ret = QERR_GENERIC;
		return;
	}
	if (p->pk.scheme == PHYSICAL_KEY_S3)
		p->s3 = 1;
	else
		it->ret = copy_local(&p->pk, it->physical, it->size,
				     p->tmp->fd, &it->err);
}

/*
 * The S3 object of p arrived, and its bytes hash to got, not to the
 * entry's hash. 1 when it is to be downloaded again (into a new p->tmp);
 * else 0 with it->ret and it->err saying why not: an earlier download
 * gave the same bytes (the copy stored at the key is corrupt), or every
 * attempt gave other bytes.
 */
static int download_again(const struct fetch_to *to, struct pending *p,
			  const struct object_id *got)
{
	struct fetch_item *it = p->it;
	int i;

	for (i = 0; i < p->nr_bad && !oideq(&p->bad[i], got); i++)
		;
	strbuf_reset(&it->err);
	if (i < p->nr_bad) {
		strbuf_addf(&it->err, "the object stored at %s is corrupt: "
			    "two downloads agree that it hashes to %s, not "
			    "to the %s of its entry", it->physical,
			    oid_to_value(got), oid_to_value(&it->oid));
		it->ret = QERR_CORRUPT;
		return 0;
	}
	p->bad[p->nr_bad++] = *got;
	if (p->nr_bad == FETCH_ATTEMPTS) {
		strbuf_addf(&it->err, "the transfer of %s was corrupted %d "
			    "times (no two downloads agreed; the last one "
			    "hashes to %s, not to %s); try again",
			    it->physical, p->nr_bad, oid_to_value(got),
			    oid_to_value(&it->oid));
		it->ret = QERR_GENERIC;
		return 0;
	}
	p->tmp = create_tempfile_in(to->tmpdir, "obj_", to->mode, &it->err);
	it->ret = p->tmp ? 0 : QERR_GENERIC;
	return !!p->tmp;
}

/* Hash the download in p->tmp, which should be it->oid: 0 or a qerr. */
static int check_download(struct pending *p, struct object_id *got)
{
	struct fetch_item *it = p->it;
	int ret = hash_fd(p->tmp->fd, p->tmp->path, it->oid.type, got,
			  &it->err);

	if (!ret && !oideq(got, &it->oid)) {
		strbuf_addf(&it->err, "data does not match its hash: "
			    "expected %s, got ", oid_to_value(&it->oid));
		oid_add_value(&it->err, got);
		ret = QERR_CORRUPT;
	}
	return ret;
}

static void fetch_end(const struct fetch_to *to, struct pending *p,
		      struct tempfile **out)
{
	struct fetch_item *it = p->it;
	struct object_id got;

	if (!it->ret && p->tmp) {
		/* only bytes that match the entry's hash are kept */
		if (to->cache)
			it->ret = odb_write_tempfile(to->cache, &p->tmp,
						     it->oid.type, &it->oid,
						     &got, &it->err);
		else
			it->ret = check_download(p, &got);
		if (it->ret == QERR_CORRUPT && p->s3 &&
		    download_again(to, p, &got))
			return;		/* keeps p->pk for the next round */
		if (it->ret == QERR_CORRUPT && !p->s3)
			strbuf_addf(&it->err, " (from %s)", it->physical);
		it->fetched = !it->ret;
		if (!it->ret && out) {
			*out = p->tmp;
			p->tmp = NULL;
		}
	}
	delete_tempfile(&p->tmp);
	physical_key_release(&p->pk);
}

#define FETCH_BATCH 128

static int fetch_to(const struct fetch_to *to, struct fetch_item *items,
		    size_t nr, struct tempfile **out, struct strbuf *err)
{
	struct pending *p = xcalloc(FETCH_BATCH, sizeof(*p));
	size_t *at = xcalloc(FETCH_BATCH, sizeof(*at));
	size_t i = 0, n, k, again;
	int ret = 0, round;

	while (!ret && i < nr) {
		for (n = 0; i < nr && n < FETCH_BATCH; i++) {
			items[i].fetched = 0;
			items[i].ret = 0;
			if (out)
				out[i] = NULL;
			if (to->cache && odb_has(to->cache, &items[i].oid))
				continue;
			memset(&p[n], 0, sizeof(p[n]));
			p[n].it = &items[i];
			at[n] = i;
			fetch_begin(to, &p[n++]);
		}
		/* the downloads, then S3 ones whose bytes did not verify */
		for (round = 0, again = 1; again; round++) {
			fetch_s3(p, n, err);
			for (k = 0, again = 0; k < n; k++) {
				if (round && !s3_due(&p[k]))
					continue;
				fetch_end(to, &p[k], out ? &out[at[k]] : NULL);
				again += s3_due(&p[k]);
			}
		}
	}
	for (i = 0; !ret && i < nr; i++)
		if (items[i].ret) {
			strbuf_addbuf(err, &items[i].err);
			ret = items[i].ret;
		}
	free(p);
	free(at);
	return ret;
}

int fetch_objects(struct odb *cache, struct fetch_item *items, size_t nr,
		  struct strbuf *err)
{
	struct fetch_to to = { cache, cache->tmpdir, 0600 };
	int ret = odb_create(cache, err);

	return ret ? ret : fetch_to(&to, items, nr, NULL, err);
}

int fetch_objects_into(const char *tmpdir, mode_t mode,
		       struct fetch_item *items, size_t nr,
		       struct tempfile **out, struct strbuf *err)
{
	struct fetch_to to = { NULL, tmpdir, mode };

	return fetch_to(&to, items, nr, out, err);
}

void fetch_item_init(struct fetch_item *it, const char *physical,
		     const struct object_id *oid, uint64_t size)
{
	memset(it, 0, sizeof(*it));
	it->physical = physical;
	it->oid = *oid;
	it->size = size;
	strbuf_init(&it->err, 0);
}

void fetch_item_release(struct fetch_item *it)
{
	strbuf_release(&it->err);
}

int fetch_object(struct odb *cache, const char *physical,
		 const struct object_id *oid, uint64_t size, int *fetched,
		 struct strbuf *err)
{
	struct fetch_item it;
	int ret;

	fetch_item_init(&it, physical, oid, size);
	ret = fetch_objects(cache, &it, 1, err);
	*fetched = it.fetched;
	fetch_item_release(&it);
	return ret;
}

static int copy_local_range(const struct physical_key *pk,
			    const char *physical, uint64_t size,
			    const struct fetch_range *r, size_t nr, int fd,
			    struct strbuf *err)
{
	char *buf = xmalloc(1 << 20);
	int in = -1;
	int ret = fetch_open_local(pk->path, physical, size, &in, err);
	size_t i;

	for (i = 0; !ret && i < nr; i++) {
		uint64_t off = r[i].off, end = r[i].off + r[i].len;

		while (!ret && off < end) {
			size_t want = end - off < (1 << 20) ? end - off :
				      (1 << 20);
			ssize_t n = pread(in, buf, want, (off_t)off);

			if (n <= 0) {
				strbuf_addf(err, "cannot read '%s': %s",
					    physical, n ? strerror(errno) :
					    "it is shorter than its entry");
				ret = n ? QERR_GENERIC : QERR_CORRUPT;
			} else if (pwrite_in_full(fd, buf, n, (off_t)off) < 0) {
				strbuf_addf(err, "cannot write: %s",
					    strerror(errno));
				ret = QERR_GENERIC;
			}
			off += n > 0 ? (uint64_t)n : 0;
		}
	}
	if (in >= 0)
		close(in);
	free(buf);
	return ret;
}

static int fetch_s3_ranges(const struct physical_key *pk, uint64_t size,
			   const struct fetch_range *r, size_t nr, int fd,
			   struct strbuf *err)
{
	struct s3_client *c = s3_client_get(err);
	struct s3_object *o;
	size_t i;
	int ret;

	if (!c)
		return QERR_USAGE;
	o = xcalloc(nr ? nr : 1, sizeof(*o));
	for (i = 0; i < nr; i++) {
		s3_object_init(&o[i], pk->bucket, pk->path, fd);
		o[i].version = pk->version_id;
		o[i].size = size;
		o[i].range_off = r[i].off;
		o[i].range_len = r[i].len;
	}
	ret = s3_get_objects(c, o, nr);
	for (i = 0; i < nr; i++) {
		if (o[i].ret && ret == o[i].ret && !err->len)
			strbuf_addbuf(err, &o[i].err);
		s3_object_release(&o[i]);
	}
	free(o);
	return ret;
}

int fetch_ranges(const char *physical, uint64_t size,
		 const struct fetch_range *r, size_t nr, int fd,
		 struct strbuf *err)
{
	struct physical_key pk = PHYSICAL_KEY_INIT;
	int ret = physical_key_parse(&pk, physical, strlen(physical), err);

	if (!ret && pk.scheme == PHYSICAL_KEY_S3)
		ret = fetch_s3_ranges(&pk, size, r, nr, fd, err);
	else if (!ret)
		ret = copy_local_range(&pk, physical, size, r, nr, fd, err);
	physical_key_release(&pk);
	return ret;
}
