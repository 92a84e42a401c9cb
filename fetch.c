#include "quire-compat.h"
#include "fetch.h"
#include "manifest.h"
#include "objects/odb.h"
#include "physical-key.h"
#include "registry.h"
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

int open_physical(const char *physical, int *fd, struct strbuf *err)
{
	struct physical_key pk;
	int ret = physical_key_parse(&pk, physical, strlen(physical), err);

	if (ret)
		return ret;
	if (pk.scheme != PHYSICAL_KEY_FILE) {
		strbuf_addf(err, "cannot read '%s': s3:// objects are not "
			    "supported by this quire yet", physical);
		ret = QERR_USAGE;
	} else {
		*fd = open(pk.path, O_RDONLY | O_CLOEXEC);
		if (*fd < 0) {
			ret = errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
			strbuf_addf(err, "cannot read '%s': %s", pk.path,
				    strerror(errno));
		}
	}
	physical_key_release(&pk);
	return ret;
}

int fetch_object(struct odb *cache, const char *physical,
		 const struct object_id *oid, int *fetched,
		 struct strbuf *err)
{
	struct tempfile *tmp;
	struct object_id got;
	int in = -1, ret;

	*fetched = 0;
	if (odb_has(cache, oid))
		return 0;
	ret = odb_create(cache, err);
	if (ret)
		return ret;
	ret = open_physical(physical, &in, err);
	if (ret)
		return ret;
	tmp = create_tempfile_in(cache->tmpdir, "obj_", 0600, err);
	if (!tmp) {
		close(in);
		return QERR_GENERIC;
	}
	if (copy_fd_all(in, tmp->fd) < 0) {
		strbuf_addf(err, "cannot copy '%s': %s", physical,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	close(in);
	if (!ret) {
		ret = odb_write_tempfile(cache, &tmp, oid->type, oid, &got,
					 err);
		if (ret == QERR_CORRUPT)
			strbuf_addf(err, " (from %s)", physical);
	}
	delete_tempfile(&tmp);
	if (!ret)
		*fetched = 1;
	return ret;
}
