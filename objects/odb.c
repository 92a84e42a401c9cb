#include "quire-compat.h"
#include "objects/odb.h"
#include "chunked-hash.h"
#include "disk-full.h"
#include <dirent.h>

/* Files copied and hashed together by odb_write_files(). */
#define WRITE_BATCH 64

void odb_init(struct odb *odb, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;

	odb->dir = xstrdup(dir);
	odb->no_sync = 0;
	strbuf_addf(&sb, "%s/tmp", dir);
	odb->tmpdir = strbuf_detach(&sb, NULL);
}

void odb_release(struct odb *odb)
{
	free(odb->dir);
	free(odb->tmpdir);
	odb->dir = odb->tmpdir = NULL;
}

int odb_create(struct odb *odb, struct strbuf *err)
{
	if (mkdir_p(odb->tmpdir, 0755) < 0) {
		strbuf_addf(err, "cannot create '%s': %s", odb->tmpdir,
			    strerror(errno));
		return QERR_GENERIC;
	}
	return 0;
}

void odb_path(const struct odb *odb, const struct object_id *oid,
	      struct strbuf *path)
{
	strbuf_addf(path, "%s/%s/", odb->dir, hash_type_name(oid->type));
	strbuf_add_hex(path, oid->hash, 1);
	strbuf_addch(path, '/');
	strbuf_add_hex(path, oid->hash + 1, HASH_RAWSZ - 1);
}

int odb_has(const struct odb *odb, const struct object_id *oid)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	odb_path(odb, oid, &path);
	ret = !access(path.buf, F_OK);
	strbuf_release(&path);
	return ret;
}

/* Move a synced temp file to the object's name; an existing one stays. */
static int finalize(struct odb *odb, struct tempfile **tmp,
		    const struct object_id *oid, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	char *slash;
	int ret = 0;

	odb_path(odb, oid, &path);
	slash = strrchr(path.buf, '/');
	*slash = '\0';
	if (mkdir_p(path.buf, 0755) < 0) {
		strbuf_addf(err, "cannot create '%s': %s", path.buf,
			    strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	*slash = '/';
	if (link((*tmp)->path, path.buf) < 0 && errno != EEXIST) {
		/* no hard links on this file system: rename instead */
		ret = commit_tempfile(tmp, path.buf, err);
		goto out;
	}
	if (!odb->no_sync && fsync_dir_of(path.buf) < 0) {
		strbuf_addf(err, "cannot fsync the folder of '%s': %s",
			    path.buf, strerror(errno));
		ret = QERR_GENERIC;
	}
out:
	delete_tempfile(tmp);
	strbuf_release(&path);
	return ret;
}

static int sync_tempfile(const struct odb *odb, struct tempfile *t,
			 struct strbuf *err)
{
	if (fchmod(t->fd, 0444) < 0 || (!odb->no_sync && fsync(t->fd) < 0)) {
		strbuf_addf(err, "cannot sync '%s': ", t->path);
		disk_full_add_strerror(err, errno, t->path);
		return QERR_GENERIC;
	}
	return 0;
}

int odb_write_tempfile(struct odb *odb, struct tempfile **tmp,
		       enum hash_type type, const struct object_id *expect,
		       struct object_id *oid, struct strbuf *err)
{
	struct hash_job job;
	int ret;

	ret = sync_tempfile(odb, *tmp, err);
	if (ret)
		goto out;
	hash_job_init(&job, (*tmp)->path, (*tmp)->fd, type);
	ret = hash_files(&job, 1, 0);
	if (ret)
		strbuf_addbuf(err, &job.err);
	else
		*oid = job.oid;
	hash_job_release(&job);
	if (ret)
		goto out;
	if (expect && !oideq(expect, oid)) {
		strbuf_addf(err, "data does not match its hash: expected "
			    "%s, got ", oid_to_value(expect));
		oid_add_value(err, oid);
		ret = QERR_CORRUPT;
		goto out;
	}
	ret = finalize(odb, tmp, oid, err);
out:
	delete_tempfile(tmp);
	return ret;
}

int odb_write_hashed_tempfile(struct odb *odb, struct tempfile **tmp,
			      const struct object_id *oid, struct strbuf *err)
{
	int ret = sync_tempfile(odb, *tmp, err);

	if (!ret)
		ret = finalize(odb, tmp, oid, err);
	delete_tempfile(tmp);
	return ret;
}

/* Copy src into a new temp file; 0 or QERR_*. */
static int copy_to_tempfile(struct odb *odb, const char *src,
			    struct tempfile **out, struct strbuf *err)
{
	struct tempfile *t;
	struct stat st;
	int in, ret = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		strbuf_addf(err, "cannot open '%s': %s", src,
			    strerror(errno));
		return errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
	}
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		strbuf_addf(err, "'%s' is not a regular file", src);
		close(in);
		return QERR_GENERIC;
	}
	t = create_tempfile_in(odb->tmpdir, "obj_", 0600, err);
	if (!t) {
		close(in);
		return QERR_GENERIC;
	}
	if (copy_fd_all(in, t->fd) < 0) {
		strbuf_addf(err, "cannot copy '%s': %s", src, strerror(errno));
		ret = QERR_GENERIC;
	}
	close(in);
	if (ret)
		delete_tempfile(&t);
	else
		*out = t;
	return ret;
}

static int write_batch(struct odb *odb, const char **paths, size_t nr,
		       enum hash_type type, struct object_id *oids,
		       uint64_t *sizes, struct strbuf *err)
{
	struct tempfile *tmps[WRITE_BATCH] = { NULL };
	struct hash_job jobs[WRITE_BATCH];
	size_t i, njobs = 0;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		ret = copy_to_tempfile(odb, paths[i], &tmps[i], err);
		if (!ret)
			ret = sync_tempfile(odb, tmps[i], err);
	}
	for (i = 0; i < nr && !ret; i++)
		hash_job_init(&jobs[njobs++], paths[i], tmps[i]->fd, type);
	if (!ret) {
		ret = hash_files(jobs, njobs, 0);
		for (i = 0; ret && i < njobs; i++) {
			if (jobs[i].ret) {
				strbuf_addbuf(err, &jobs[i].err);
				break;
			}
		}
	}
	for (i = 0; i < nr && !ret; i++) {
		oids[i] = jobs[i].oid;
		if (sizes)
			sizes[i] = jobs[i].size;
		ret = finalize(odb, &tmps[i], &oids[i], err);
	}
	for (i = 0; i < njobs; i++)
		hash_job_release(&jobs[i]);
	for (i = 0; i < nr; i++)
		delete_tempfile(&tmps[i]);
	return ret;
}

int odb_write_files(struct odb *odb, const char **paths, size_t nr,
		    enum hash_type type, struct object_id *oids,
		    uint64_t *sizes, struct strbuf *err)
{
	size_t i;

	if (odb_create(odb, err) < 0)
		return QERR_GENERIC;
	for (i = 0; i < nr; i += WRITE_BATCH) {
		size_t n = nr - i < WRITE_BATCH ? nr - i : WRITE_BATCH;
		int ret = write_batch(odb, paths + i, n, type, oids + i,
				      sizes ? sizes + i : NULL, err);

		if (ret)
			return ret;
	}
	return 0;
}

int odb_open_verified(const struct odb *odb, const struct object_id *oid,
		      int *fd, uint64_t *size, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct hash_job job;
	int ret = 0;

	odb_path(odb, oid, &path);
	*fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		ret = errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
		strbuf_addf(err, "object %s:%s is not in the store",
			    hash_type_name(oid->type), oid_to_value(oid));
		if (ret != QERR_NOTFOUND)
			strbuf_addf(err, " (%s)", strerror(errno));
		strbuf_release(&path);
		return ret;
	}
	hash_job_init(&job, path.buf, *fd, oid->type);
	ret = hash_files(&job, 1, 0);
	if (ret) {
		strbuf_addbuf(err, &job.err);
	} else if (!oideq(&job.oid, oid)) {
		strbuf_addf(err, "object '%s' is corrupt: its bytes hash to ",
			    path.buf);
		oid_add_value(err, &job.oid);
		strbuf_addstr(err, "; delete it and store it again");
		ret = QERR_CORRUPT;
	} else if (size) {
		*size = job.size;
	}
	hash_job_release(&job);
	strbuf_release(&path);
	if (ret) {
		close(*fd);
		*fd = -1;
	}
	return ret;
}

static void manifest_ref_path(const struct odb *odb,
			      const struct object_id *top, struct strbuf *sb)
{
	struct object_id m = *top;

	m.type = HASH_MANIFEST;
	odb_path(odb, &m, sb);
}

int odb_write_manifest(struct odb *odb, struct tempfile **tmp,
		       const struct object_id *top,
		       const unsigned char *bytes_sha256, struct strbuf *err)
{
	struct object_id want, got;
	struct strbuf path = STRBUF_INIT, hex = STRBUF_INIT;
	struct tempfile *ref;
	char *slash;
	int ret;

	want.type = HASH_SHA256;
	memcpy(want.hash, bytes_sha256, HASH_RAWSZ);
	ret = odb_write_tempfile(odb, tmp, HASH_SHA256, &want, &got, err);
	if (ret)
		return ret;
	manifest_ref_path(odb, top, &path);
	slash = strrchr(path.buf, '/');
	*slash = '\0';
	if (mkdir_p(path.buf, 0755) < 0) {
		strbuf_addf(err, "cannot create '%s': %s", path.buf,
			    strerror(errno));
		strbuf_release(&path);
		return QERR_GENERIC;
	}
	*slash = '/';
	ref = create_tempfile_in(odb->tmpdir, "man_", 0444, err);
	if (!ref) {
		strbuf_release(&path);
		return QERR_GENERIC;
	}
	strbuf_add_hex(&hex, bytes_sha256, HASH_RAWSZ);
	strbuf_addch(&hex, '\n');
	if (write_in_full(ref->fd, hex.buf, hex.len) < 0) {
		strbuf_addf(err, "cannot write '%s': ", ref->path);
		disk_full_add_strerror(err, errno, ref->path);
		ret = QERR_GENERIC;
	} else {
		ret = commit_tempfile(&ref, path.buf, err);
	}
	delete_tempfile(&ref);
	strbuf_release(&hex);
	strbuf_release(&path);
	return ret;
}

int odb_has_manifest(const struct odb *odb, const struct object_id *top)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	manifest_ref_path(odb, top, &path);
	ret = !access(path.buf, F_OK);
	strbuf_release(&path);
	return ret;
}

int odb_open_manifest(const struct odb *odb, const struct object_id *top,
		      FILE **fp, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	struct object_id bytes;
	int fd, ret;

	manifest_ref_path(odb, top, &path);
	ret = strbuf_read_file_max(&sb, path.buf, 128);
	if (ret == -1 && errno == ENOENT) {
		strbuf_addf(err, "package %s is not in the local store",
			    oid_to_hex(top));
		ret = QERR_NOTFOUND;
		goto out;
	}
	strbuf_rtrim(&sb);
	if (ret || oid_from_value(&bytes, HASH_SHA256, sb.buf, sb.len)) {
		strbuf_addf(err, "manifest record '%s' is corrupt; delete it "
			    "and fetch or write the manifest again", path.buf);
		ret = QERR_CORRUPT;
		goto out;
	}
	ret = odb_open_verified(odb, &bytes, &fd, NULL, err);
	if (ret == QERR_NOTFOUND) {
		strbuf_addf(err, " (the manifest of %s is missing; fetch or "
			    "write it again)", oid_to_hex(top));
		ret = QERR_CORRUPT;
	}
	if (ret)
		goto out;
	*fp = fdopen(fd, "r");
	if (!*fp) {
		close(fd);
		ret = error_errno("cannot open manifest");
	}
out:
	strbuf_release(&path);
	strbuf_release(&sb);
	return ret;
}

int odb_find_manifest(const struct odb *odb, const char *hex,
		      struct object_id *top, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, full = STRBUF_INIT;
	size_t len = strlen(hex), found = 0;
	struct dirent *de;
	DIR *d;

	if (len < 6 || len > HASH_HEXSZ)
		return QERR_NOTFOUND;
	strbuf_addf(&dir, "%s/manifest/%.2s", odb->dir, hex);
	d = opendir(dir.buf);
	while (d && (de = readdir(d))) {
		if (strlen(de->d_name) != HASH_HEXSZ - 2 ||
		    strncmp(de->d_name, hex + 2, len - 2))
			continue;
		strbuf_reset(&full);
		strbuf_addf(&full, "%.2s%s", hex, de->d_name);
		if (found++) {
			if (found == 2)
				strbuf_addf(err, "'%s' is ambiguous: it "
					    "matches %s", hex, oid_to_hex(top));
			strbuf_addf(err, " and %s", full.buf);
			continue;
		}
		if (oid_from_value(top, HASH_MANIFEST, full.buf, full.len))
			found--;
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
	strbuf_release(&full);
	if (found > 1) {
		strbuf_addstr(err, "; give more digits");
		return QERR_GENERIC;
	}
	return found ? 0 : QERR_NOTFOUND;
}
