#include "quire-compat.h"
#include "disk-full.h"
#include <sqlite3.h>
#include <sys/statvfs.h>

int disk_full_errno(int e)
{
#ifdef EDQUOT
	if (e == EDQUOT)
		return 1;
#endif
	return e == ENOSPC;
}

int disk_full_sqlite(struct sqlite3 *db)
{
	int rc = sqlite3_extended_errcode(db) & 0xff;

	if (rc == SQLITE_FULL)
		return 1;
	return rc == SQLITE_IOERR && disk_full_errno(sqlite3_system_errno(db));
}

void disk_full_explain(struct strbuf *sb, const char *dir)
{
	struct statvfs vfs;

	strbuf_addf(sb, "the disk holding '%s' is full", dir);
	if (!statvfs(dir, &vfs))
		strbuf_addf(sb, " (%" PRIu64 " bytes free)",
			    (uint64_t)vfs.f_bavail * vfs.f_frsize);
	strbuf_addstr(sb, "; free some space and retry");
}

void disk_full_explain_path(struct strbuf *sb, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash) {
		disk_full_explain(sb, ".");
		return;
	}
	dir = xstrndup(path, slash == path ? 1 : slash - path);
	disk_full_explain(sb, dir);
	free(dir);
}

void disk_full_add_strerror(struct strbuf *sb, int e, const char *path)
{
	if (path && disk_full_errno(e))
		disk_full_explain_path(sb, path);
	else
		strbuf_addstr(sb, strerror(e));
}
