#include "quire-compat.h"
#include "revision.h"
#include "workspace.h"
#include "refs/refs.h"

static int all_hex(const char *s)
{
	for (; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return 0;
	return 1;
}

int resolve_revision(struct workspace *ws, const char *rev,
		     struct object_id *top, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT, lower = STRBUF_INIT;
	size_t len = strlen(rev), i;
	int ret;

	if (len == HASH_HEXSZ && all_hex(rev) &&
	    !oid_from_value(top, HASH_MANIFEST, rev, len)) {
		if (odb_has_manifest(&ws->odb, top))
			return 0;
		strbuf_addf(err, "package version %s is not in the local "
			    "store; fetch it or write it first", rev);
		return QERR_NOTFOUND;
	}
	if (!strcmp(rev, "HEAD") || !strncmp(rev, "refs/", 5)) {
		ret = refs_read(ws->refs, rev, top);
		if (ret == QERR_NOTFOUND)
			strbuf_addf(err, "unknown revision '%s'%s", rev,
				    strcmp(rev, "HEAD") ? "" :
				    ": nothing has been committed yet");
		else if (ret)
			strbuf_addf(err, "ref '%s' is corrupt", rev);
		return ret;
	}
	strbuf_addf(&name, "refs/tags/%s", rev);
	ret = refs_read(ws->refs, name.buf, top);
	strbuf_release(&name);
	if (ret != QERR_NOTFOUND)
		return ret ? (strbuf_addf(err, "tag '%s' is corrupt", rev),
			      ret) : 0;
	if (len >= 6 && len <= HASH_HEXSZ && all_hex(rev)) {
		for (i = 0; i < len; i++)
			strbuf_addch(&lower, rev[i] >= 'A' && rev[i] <= 'F' ?
				     rev[i] - 'A' + 'a' : rev[i]);
		ret = odb_find_manifest(&ws->odb, lower.buf, top, err);
		strbuf_release(&lower);
		if (ret != QERR_NOTFOUND)
			return ret;
	}
	strbuf_addf(err, "unknown revision '%s': give a top hash (or a "
		    "prefix of at least 6 digits), HEAD, a ref or a tag", rev);
	return QERR_NOTFOUND;
}
