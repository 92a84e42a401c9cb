#include "quire-compat.h"
#include "fetch.h"
#include "manifest.h"
#include "objects/odb.h"
#include "physical-key.h"
#include "registry.h"
#include "s3/object.h"
#include "tempfile.h"

int fetch_manifest(struct odb *dst, struct registry *reg,
		   const struct object_id *top, struct strbuf *err)
{
	struct tempfile *raw = NULL, *out = NULL;
	struct manifest_load_opts opts = { 0 };
	struct object_id got;
	unsigned char bytes[HASH_RAWSZ];
	FILE *fp = NULL;
	int ret, fd;

	if (odb_has_manifest(dst, top))
		return 0;
	ret = odb_create(dst, err);
	if (ret)
		return ret;
	raw = create_tempfile_in(dst->tmpdir, "fetch_", 0600, err);
	out = raw ? create_tempfile_in(dst->tmpdir, "manifest_", 0600, err) :
	      NULL;
	if (!out) {
		ret = QERR_GENERIC;
		goto done;
	}
	ret = registry_get_manifest(reg, top, raw->fd, err);
	if (ret)
		goto done;
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
	opts.out = out->fd;
	ret = manifest_load(fp, &opts, &got, bytes, NULL, err);
	if (ret) {
		strbuf_addf(err, " (in the manifest fetched from %s)",
			    registry_url(reg));
		goto done;
	}
	if (!oideq(&got, top)) {
		strbuf_addf(err, "the manifest %s in %s hashes to %s; the "
			    "registry is corrupt", oid_to_hex(top),
			    registry_url(reg), oid_to_hex(&got));
		ret = QERR_CORRUPT;
		goto done;
	}
	ret = odb_write_manifest(dst, &out, top, bytes, err);
done:
	if (fp)
		fclose(fp);
	delete_tempfile(&raw);
	delete_tempfile(&out);
	return ret;
}

/* Copy a local (file://) object into tmp. */
static int copy_local(const struct physical_key *pk, const char *physical,
		      int out, struct strbuf *err)
{
	int in = open(pk->path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (in < 0) {
		strbuf_addf(err, "cannot read '%s': %s", pk->path,
			    strerror(errno));
		return errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
	}
	if (copy_fd_all(in, out) < 0) {
		strbuf_addf(err, "cannot copy '%s': %s", physical,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	close(in);
	return ret;
}

struct pending {
	struct fetch_item *it;
	struct physical_key pk;
	struct tempfile *tmp;
	struct s3_object o;
	int s3;
};

/* Download the S3 objects among p[0..n) together. */
static void fetch_s3(struct pending *p, size_t n, struct strbuf *err)
{
	struct s3_object *objs;
	struct s3_client *c;
	size_t i, ns = 0;

	for (i = 0; i < n; i++)
		ns += p[i].s3;
	if (!ns)
		return;
	c = s3_client_get(err);
	objs = xcalloc(ns, sizeof(*objs));
	for (i = 0, ns = 0; i < n; i++) {
		if (!p[i].s3)
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
		if (!p[i].s3)
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

static void fetch_begin(struct odb *cache, struct pending *p)
{
	struct fetch_item *it = p->it;

	it->ret = physical_key_parse(&p->pk, it->physical,
				     strlen(it->physical), &it->err);
	if (it->ret)
		return;
	p->tmp = create_tempfile_in(cache->tmpdir, "obj_", 0600, &it->err);
	if (!p->tmp) {
		it->ret = QERR_GENERIC;
		return;
	}
	if (p->pk.scheme == PHYSICAL_KEY_S3)
		p->s3 = 1;
	else
		it->ret = copy_local(&p->pk, it->physical, p->tmp->fd,
				     &it->err);
}

static void fetch_end(struct odb *cache, struct pending *p)
{
	struct fetch_item *it = p->it;
	struct object_id got;

	if (!it->ret && p->tmp) {
		it->ret = odb_write_tempfile(cache, &p->tmp, it->oid.type,
					     &it->oid, &got, &it->err);
		if (it->ret == QERR_CORRUPT)
			strbuf_addf(&it->err, " (from %s)", it->physical);
		it->fetched = !it->ret;
	}
	delete_tempfile(&p->tmp);
	physical_key_release(&p->pk);
}

#define FETCH_BATCH 128

int fetch_objects(struct odb *cache, struct fetch_item *items, size_t nr,
		  struct strbuf *err)
{
	struct pending *p = xcalloc(FETCH_BATCH, sizeof(*p));
	size_t i = 0, n, k;
	int ret = odb_create(cache, err);

	while (!ret && i < nr) {
		for (n = 0; i < nr && n < FETCH_BATCH; i++) {
			items[i].fetched = 0;
			items[i].ret = 0;
			if (odb_has(cache, &items[i].oid))
				continue;
			memset(&p[n], 0, sizeof(p[n]));
			p[n].it = &items[i];
			fetch_begin(cache, &p[n++]);
		}
		fetch_s3(p, n, err);
		for (k = 0; k < n; k++)
			fetch_end(cache, &p[k]);
	}
	for (i = 0; !ret && i < nr; i++)
		if (items[i].ret) {
			strbuf_addbuf(err, &items[i].err);
			ret = items[i].ret;
		}
	free(p);
	return ret;
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
		 const struct object_id *oid, int *fetched,
		 struct strbuf *err)
{
	struct fetch_item it;
	int ret;

	fetch_item_init(&it, physical, oid, S3_SIZE_UNKNOWN);
	ret = fetch_objects(cache, &it, 1, err);
	*fetched = it.fetched;
	fetch_item_release(&it);
	return ret;
}
