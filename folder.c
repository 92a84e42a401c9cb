#include "quire-compat.h"
#include "folder.h"
#include "chunked-hash.h"
#include "json.h"
#include "logical-key.h"
#include "manifest.h"
#include "physical-key.h"
#include "workspace.h"
#include <dirent.h>

#define BATCH 4096

static int walk(struct folder_list *fl, struct strbuf *path, size_t root_len,
		struct strbuf *err)
{
	DIR *d = opendir(path->buf);
	struct dirent *de;
	size_t plen = path->len;
	int ret = 0;

	if (!d) {
		strbuf_addf(err, "cannot read folder '%s': %s", path->buf,
			    strerror(errno));
		return QERR_GENERIC;
	}
	while (!ret && (de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_setlen(path, plen);
		strbuf_addf(path, "/%s", de->d_name);
		/* the file system often says what it is: no stat needed */
		if (de->d_type == DT_REG)
			st.st_mode = S_IFREG;
		else if (de->d_type == DT_DIR)
			st.st_mode = S_IFDIR;
		else if (lstat(path->buf, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (strcmp(de->d_name, ".quire"))
				ret = walk(fl, path, root_len, err);
		} else if (S_ISREG(st.st_mode) ||
			   (S_ISLNK(st.st_mode) && !stat(path->buf, &st) &&
			    S_ISREG(st.st_mode))) {
			ALLOC_GROW(fl->keys, fl->nr + 1, fl->alloc);
			fl->keys[fl->nr++] = xstrdup(path->buf + root_len + 1);
		}
	}
	closedir(d);
	strbuf_setlen(path, plen);
	return ret;
}

static int cmp_key(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return logical_key_cmp(x, strlen(x), y, strlen(y));
}

int folder_list(const char *dir, struct folder_list *fl, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	memset(fl, 0, sizeof(*fl));
	strbuf_addstr(&path, dir);
	while (path.len > 1 && path.buf[path.len - 1] == '/')
		strbuf_setlen(&path, path.len - 1);
	ret = walk(fl, &path, path.len, err);
	QSORT(fl->keys, fl->nr, cmp_key);
	strbuf_release(&path);
	return ret;
}

void folder_list_release(struct folder_list *fl)
{
	size_t i;

	for (i = 0; i < fl->nr; i++)
		free(fl->keys[i]);
	free(fl->keys);
	memset(fl, 0, sizeof(*fl));
}

static int add_batch(struct manifest_builder *b, char **keys,
		     struct hash_job *jobs, size_t n, const char *dir,
		     struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT, canon = STRBUF_INIT;
	struct manifest_entry e;
	struct manifest_record rec;
	struct physical_key pk;
	size_t i;
	int ret = hash_files(jobs, n, 0);

	for (i = 0; ret && i < n; i++)
		if (jobs[i].ret) {
			strbuf_addbuf(err, &jobs[i].err);
			break;
		}
	manifest_entry_init(&e);
	for (i = 0; !ret && i < n; i++) {
		if (logical_key_check(keys[i], strlen(keys[i]), 0, err) < 0) {
			strbuf_addf(err, " (a file in '%s')", dir);
			ret = QERR_CORRUPT;
			break;
		}
		manifest_entry_release(&e);
		manifest_entry_init(&e);
		strbuf_addstr(&e.key, keys[i]);
		physical_key_from_path(&pk, jobs[i].path);
		physical_key_format(&e.physical, &pk);
		physical_key_release(&pk);
		e.size = jobs[i].size;
		e.oid = jobs[i].oid;
		e.hash_known = 1;
		e.hash = json_new_object();
		json_object_set(e.hash, "type", 4,
				json_new_string("sha2-256-chunked", 16));
		json_object_set(e.hash, "value", 5,
				json_new_string(oid_to_value(&e.oid),
						HASH_B64SZ));
		e.meta = json_new_object();
		manifest_record_from_entry(&rec, &e, &line, &canon);
		ret = manifest_builder_add(b, &rec, err);
	}
	manifest_entry_release(&e);
	strbuf_release(&line);
	strbuf_release(&canon);
	return ret;
}

int folder_build(const char *dir, int out_fd, struct object_id *top,
		 uint64_t *entries, struct strbuf *err)
{
	struct folder_list fl;
	struct manifest_builder b;
	struct hash_job *jobs = xcalloc(BATCH, sizeof(*jobs));
	struct strbuf path = STRBUF_INIT;
	char **paths = xcalloc(BATCH, sizeof(*paths));
	struct json *meta = json_new_object();
	size_t i, j, n;
	int ret;

	json_object_set(meta, "version", 7, json_new_string("v0", 2));
	ret = folder_list(dir, &fl, err);
	manifest_builder_init(&b, meta, out_fd);
	for (i = 0; !ret && i < fl.nr; i += n) {
		n = fl.nr - i < BATCH ? fl.nr - i : BATCH;
		for (j = 0; j < n; j++) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", dir, fl.keys[i + j]);
			paths[j] = absolute_path(path.buf);
			hash_job_init(&jobs[j], paths[j], -1,
				      HASH_SHA2_256_CHUNKED);
		}
		ret = add_batch(&b, fl.keys + i, jobs, n, dir, err);
		for (j = 0; j < n; j++) {
			hash_job_release(&jobs[j]);
			free(paths[j]);
		}
	}
	if (!ret)
		ret = manifest_builder_finish(&b, top, NULL, err);
	if (!ret && entries)
		*entries = b.entries;
	manifest_builder_release(&b);
	folder_list_release(&fl);
	json_free(meta);
	free(jobs);
	free(paths);
	strbuf_release(&path);
	return ret;
}
