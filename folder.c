#include "quire-compat.h"
#include "folder.h"
#include "ignore.h"
#include "chunked-hash.h"
#include "json.h"
#include "logical-key.h"
#include "manifest.h"
#include "physical-key.h"
#include "workspace.h"

#define BATCH 4096

static int skip_quire(const char *name, int is_dir, void *payload)
{
	return is_dir ? !strcmp(name, ".quire") : is_quire_leftover(name);
}

static int cmp_key(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return logical_key_cmp(x, strlen(x), y, strlen(y));
}

static int list_file(const char *rel, size_t len, void *payload)
{
	struct path_list *fl = payload;

	ALLOC_GROW(fl->items, fl->nr + 1, fl->alloc);
	fl->items[fl->nr++] = xstrndup(rel, len);
	return 0;
}

int folder_list(const char *dir, struct path_list *fl, struct strbuf *err)
{
	struct ignore ig = IGNORE_INIT;
	int ret;

	memset(fl, 0, sizeof(*fl));
	ignore_init(&ig, dir);
	ignore_begin(&ig, "", NULL, NULL);
	ret = dir_walk_ignore(dir, "", DIR_LIST_FOLLOW_FILE_LINKS, &ig,
			      skip_quire, list_file, NULL, fl);
	ignore_release(&ig);
	if (ret < 0) {
		strbuf_addf(err, "cannot read folder '%s': %s", dir,
			    strerror(errno));
		return QERR_GENERIC;
	}
	path_list_sort(fl, cmp_key);
	return 0;
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
	struct path_list fl;
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
			strbuf_addf(&path, "%s/%s", dir, fl.items[i + j]);
			paths[j] = absolute_path(path.buf);
			hash_job_init(&jobs[j], paths[j], -1,
				      HASH_SHA2_256_CHUNKED);
		}
		ret = add_batch(&b, fl.items + i, jobs, n, dir, err);
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
	path_list_release(&fl);
	json_free(meta);
	free(jobs);
	free(paths);
	strbuf_release(&path);
	return ret;
}
