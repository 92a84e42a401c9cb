#include "quire-compat.h"
#include "refs/refs.h"
#include "disk-full.h"
#include "lockfile.h"
#include "dir-list.h"

struct ref_store {
	char *dir;	/* .quire */
};

struct ref_store *refs_store_new(const char *quire_dir)
{
	struct ref_store *refs = xcalloc(1, sizeof(*refs));

	refs->dir = xstrdup(quire_dir);
	return refs;
}

void refs_store_free(struct ref_store *refs)
{
	if (!refs)
		return;
	free(refs->dir);
	free(refs);
}

static int valid_component(const char *s, size_t len)
{
	size_t i;

	if (!len || s[0] == '.' ||
	    (len >= 5 && !memcmp(s + len - 5, ".lock", 5)))
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.' || c == '+' || c == '@'))
			return 0;
	}
	return 1;
}

int refs_name_check(const char *name)
{
	const char *p;

	if (!strcmp(name, "HEAD"))
		return 0;
	if (strncmp(name, "refs/", 5))
		return -1;
	p = name + 5;
	if (!*p)
		return -1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (!valid_component(p, len))
			return -1;
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

static void ref_path(struct ref_store *refs, const char *name,
		     struct strbuf *sb)
{
	strbuf_addf(sb, "%s/%s", refs->dir, name);
}

static int read_ref_file(const char *path, struct object_id *oid)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = strbuf_read_file_max(&sb, path, 256);

	if (ret == -1) {
		ret = (errno == ENOENT || errno == ENOTDIR ||
		       errno == EISDIR) ? QERR_NOTFOUND : QERR_GENERIC;
	} else if (ret) {
		ret = QERR_CORRUPT;
	} else {
		strbuf_rtrim(&sb);
		ret = oid_from_value(oid, HASH_MANIFEST, sb.buf, sb.len) ?
		      QERR_CORRUPT : 0;
	}
	strbuf_release(&sb);
	return ret;
}

int refs_read(struct ref_store *refs, const char *name,
	      struct object_id *oid)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	if (refs_name_check(name))
		return QERR_NOTFOUND;
	ref_path(refs, name, &path);
	ret = read_ref_file(path.buf, oid);
	strbuf_release(&path);
	return ret;
}

static int check_old(const char *name, const char *path,
		     const struct object_id *old_oid, unsigned flags,
		     struct strbuf *err)
{
	struct object_id cur;
	int ret = read_ref_file(path, &cur);

	if (ret && ret != QERR_NOTFOUND) {
		strbuf_addf(err, "ref '%s' is unreadable (%s); fix or "
			    "delete it", name, path);
		return ret;
	}
	if ((flags & REFS_OLD_ABSENT) && !ret) {
		strbuf_addf(err, "ref '%s' already exists (at %s)", name,
			    oid_to_hex(&cur));
		return QERR_STALE;
	}
	if (old_oid && ret) {
		strbuf_addf(err, "ref '%s' does not exist, expected it at %s",
			    name, oid_to_hex(old_oid));
		return QERR_STALE;
	}
	if (old_oid && !oideq(&cur, old_oid)) {
		strbuf_addf(err, "ref '%s' is at %s", name, oid_to_hex(&cur));
		strbuf_addf(err, ", not at %s", oid_to_hex(old_oid));
		return QERR_STALE;
	}
	return ret == QERR_NOTFOUND ? 1 : 0;
}

int refs_update(struct ref_store *refs, const char *name,
		const struct object_id *new_oid,
		const struct object_id *old_oid, unsigned flags,
		struct strbuf *err)
{
	struct lock_file lk = LOCK_INIT;
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct object_id cur;
	char *slash;
	int ret, absent;

	if (refs_name_check(name)) {
		strbuf_addf(err, "invalid ref name '%s': use HEAD or "
			    "refs/<name>", name);
		return QERR_USAGE;
	}
	if (!new_oid && refs_read(refs, name, &cur) == QERR_NOTFOUND) {
		strbuf_addf(err, "ref '%s' does not exist", name);
		return QERR_NOTFOUND;
	}
	ref_path(refs, name, &path);
	slash = strrchr(path.buf, '/');
	*slash = '\0';
	if (new_oid && mkdir_p(path.buf, 0755) < 0) {
		strbuf_addf(err, "cannot create the folder for ref '%s': %s",
			    name, strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	*slash = '/';
	ret = hold_lock_file(&lk, path.buf, err);
	if (ret)
		goto out;
	ret = check_old(name, path.buf, old_oid, flags, err);
	if (ret < 0)
		goto out;
	absent = ret;
	ret = 0;
	if (!new_oid) {
		if (absent) {
			strbuf_addf(err, "ref '%s' does not exist", name);
			ret = QERR_NOTFOUND;
		} else if (unlink(path.buf) < 0 || fsync_dir_of(path.buf) < 0) {
			strbuf_addf(err, "cannot delete ref '%s': %s", name,
				    strerror(errno));
			ret = QERR_GENERIC;
		}
		goto out;
	}
	strbuf_addf(&body, "%s\n", oid_to_hex(new_oid));
	if (write_in_full(lock_file_fd(&lk), body.buf, body.len) < 0) {
		strbuf_addf(err, "cannot write ref '%s': ", name);
		disk_full_add_strerror(err, errno, path.buf);
		ret = QERR_GENERIC;
		goto out;
	}
	ret = commit_lock_file(&lk, err);
out:
	rollback_lock_file(&lk);
	strbuf_release(&path);
	strbuf_release(&body);
	return ret;
}

static int skip_dot(const char *name, int is_dir, void *payload)
{
	return name[0] == '.';
}

int refs_for_each(struct ref_store *refs, each_ref_fn *fn, void *payload)
{
	struct path_list names = { 0 };
	size_t i;
	int ret = 0;

	dir_list(refs->dir, "refs", 0, skip_dot, NULL, &names);
	path_list_sort(&names, NULL);
	for (i = 0; !ret && i < names.nr; i++) {
		struct object_id oid;

		if (!refs_name_check(names.items[i]) &&
		    !refs_read(refs, names.items[i], &oid))
			ret = fn(names.items[i], &oid, payload);
	}
	path_list_release(&names);
	return ret;
}
