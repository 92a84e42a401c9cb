#include "quire-compat.h"
#include "object-read.h"
#include "cache.h"
#include "diff.h"
#include "fetch.h"
#include "logical-key.h"
#include "physical-key.h"
#include "porcelain.h"

int read_entry(struct workspace *ws, const char *registry, int allow_local,
	       const char *rev, const char *key, int out_fd,
	       struct strbuf *err)
{
	struct version_origin origin = { 0 };
	struct entry_stream *s;
	struct manifest_entry e;
	struct object_id top;
	struct odb cache;
	char *buf;
	FILE *fp;
	int ret, fd, fetched, found = 0;

	ret = porcelain_open_version_origin(ws, registry, rev, &top, &fp,
					    &origin, err);
	if (ret)
		return ret;
	s = entry_stream_manifest(fp, rev, err);
	if (!s) {
		fclose(fp);
		version_origin_release(&origin);
		return QERR_CORRUPT;
	}
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, err)) > 0) {
		int cmp = logical_key_cmp(e.key.buf, e.key.len, key,
					  strlen(key));

		if (cmp >= 0) {
			found = !cmp;
			break;
		}
	}
	entry_stream_free(s);
	fclose(fp);
	if (ret < 0)
		goto out;
	if (!found) {
		strbuf_addf(err, "%s has no entry '%s'; 'quire ls' lists them",
			    rev, key);
		ret = QERR_NOTFOUND;
		goto out;
	}
	if (origin.from_registry && !allow_local) {
		ret = physical_key_local_allowed(e.physical.buf,
						 origin.local_root, err);
		if (ret) {
			strbuf_addf(err, ", named by '%s'; quire reads such "
				    "files only when you trust the registry: "
				    "pass --allow-local-files", key);
			goto out;
		}
	}
	ret = cache_odb(&cache, err);
	if (ret)
		goto out;
	ret = fetch_object(&cache, e.physical.buf, &e.oid, e.size, &fetched,
			   err);
	if (!ret)
		ret = odb_open_verified(&cache, &e.oid, &fd, NULL, err);
	odb_release(&cache);
	if (ret)
		goto out;
	buf = xmalloc(1 << 20);
	for (;;) {
		ssize_t n = read_in_full(fd, buf, 1 << 20);

		if (n < 0 || (n && write_in_full(out_fd, buf, n) < 0)) {
			strbuf_addf(err, "cannot copy '%s': %s", key,
				    strerror(errno));
			ret = QERR_GENERIC;
			break;
		}
		if (!n)
			break;
	}
	free(buf);
	close(fd);
out:
	manifest_entry_release(&e);
	version_origin_release(&origin);
	return ret;
}
