#include "quire-compat.h"
#include "commit.h"
#include "error.h"
#include "index-db.h"
#include "package.h"
#include "refs/refs.h"
#include "stage.h"
#include "workspace.h"

static void report_missing(const char *key, const char *path,
			   enum stage_change what, void *payload)
{
	struct strbuf *missing = payload;

	if (what == STAGE_MISSING)
		strbuf_addf(missing, "\n\t%s (%s)", key, path);
}

/*
 * Change the staged package metadata: user (if not NULL) becomes its
 * "user_meta"; prov (if not NULL) replaces its "provenance", which
 * drop_prov removes. Both are consumed.
 */
static int stage_package_meta(struct workspace *ws, struct json *user,
			      struct json *prov, int drop_prov,
			      struct strbuf *err)
{
	struct json *meta;
	int ret;

	if (!user && !prov && !drop_prov)
		return 0;
	ret = package_meta_load(ws, &meta, err);
	if (ret < 0) {
		json_free(user);
		json_free(prov);
		return ret;
	}
	if (user)
		json_object_set(meta, "user_meta", 9, user);
	if (prov)
		json_object_set(meta, "provenance", 10, prov);
	else if (drop_prov)
		json_object_remove(meta, "provenance");
	ret = package_meta_store(ws, meta, err);
	json_free(meta);
	return ret;
}

int package_user_meta_set(struct workspace *ws, struct json *user,
			  struct strbuf *err)
{
	return stage_package_meta(ws, user, NULL, 0, err);
}

/* Everything up to the manifest, inside the index transaction. */
static int build_staged(struct workspace *ws, const char *message,
			struct json *user, struct json *prov, unsigned flags,
			struct package_commit_result *res, struct strbuf *err)
{
	struct strbuf missing = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	int ret;

	ret = stage_refresh(ws, NULL, report_missing, &missing, &stats, err);
	if (!ret && missing.len) {
		strbuf_addf(err, "files of these entries are missing; restore "
			    "them or 'quire rm' the entries:%s", missing.buf);
		ret = QERR_NOTFOUND;
	}
	strbuf_release(&missing);
	res->hashed = stats.hashed;
	if (ret < 0) {
		json_free(user);
		json_free(prov);
		return ret;
	}
	ret = stage_package_meta(ws, user, prov,
				 !!(flags & PACKAGE_COMMIT_DROP_PROVENANCE),
				 err);
	if (ret < 0)
		return ret;
	return package_build(ws, message, PACKAGE_BUILD_MESSAGE |
			     (flags & PACKAGE_COMMIT_PROGRESS ?
			      PACKAGE_BUILD_PROGRESS : 0), &res->top,
			     &res->entries, err);
}

/* Move HEAD from what it was to res->top, and log it. */
static int move_head(struct workspace *ws, const char *message,
		     struct package_commit_result *res, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct object_id old;
	int have_old = !refs_read(ws->refs, "HEAD", &old);
	int ret;

	res->unchanged = have_old && oideq(&old, &res->top);
	if (res->unchanged)
		return 0;
	ret = refs_update(ws->refs, "HEAD", &res->top, have_old ? &old : NULL,
			  have_old ? 0 : REFS_OLD_ABSENT, &why);
	if (ret < 0)
		strbuf_addf(err, "cannot move HEAD: %s", why.buf);
	else if (package_log_append(ws, have_old ? &old : NULL, &res->top,
				    message ? message : "", &why) < 0)
		warning("%s", why.buf);
	strbuf_release(&why);
	return ret;
}

int package_commit(struct workspace *ws, const char *message,
		   struct json *user, struct json *prov, unsigned flags,
		   struct package_commit_result *res, struct strbuf *err)
{
	int ret;

	memset(res, 0, sizeof(*res));
	ret = workspace_index(ws, err);
	if (!ret)
		ret = idx_begin_write(ws->idx, err);
	if (ret < 0) {
		json_free(user);
		json_free(prov);
		return ret;
	}
	ret = build_staged(ws, message, user, prov, flags, res, err);
	/*
	 * The index first: it is the write most likely to fail (a full
	 * disk), and HEAD must not move to a version the index then fails
	 * to record. Should moving HEAD fail after it, the index holds what
	 * it held, refreshed; its "equals HEAD" marker names a version HEAD
	 * is not at, which only makes status compare in full.
	 */
	if (!ret)
		ret = idx_clean_set(ws->idx, &res->top, err);
	if (!ret)
		ret = idx_commit(ws->idx, err);
	if (ret < 0) {
		idx_rollback(ws->idx);
		return ret;
	}
	return move_head(ws, message, res, err);
}
