#include "quire-compat.h"
#include "cache.h"

void cache_path(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		strbuf_addf(out, "%s/quire", xdg);
	else
		strbuf_addf(out, "%s/.cache/quire", home ? home : ".");
}

int cache_odb(struct odb *odb, struct strbuf *err)
{
	static int swept;
	struct strbuf path = STRBUF_INIT;
	int ret;

	cache_path(&path);
	strbuf_addstr(&path, "/objects");
	odb_init(odb, path.buf);
	strbuf_release(&path);
	ret = odb_create(odb, err);
	if (ret)
		odb_release(odb);
	else if (!__atomic_exchange_n(&swept, 1, __ATOMIC_SEQ_CST))
		sweep_tempfiles(odb->tmpdir, NULL);	/* from killed runs */
	return ret;
}
