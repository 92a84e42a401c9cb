#ifndef DISK_FULL_H
#define DISK_FULL_H

#include "strbuf.h"

struct sqlite3;

/*
 * A full disk is called a full disk: recognise the failures that mean
 * "no space left" (or "over quota") and say so with the folder and the
 * space left, instead of "disk I/O error" or a bare strerror().
 */

/* 1 when errno value e means the disk (or the user's quota) is full. */
int disk_full_errno(int e);

/*
 * 1 when the last failure on db was a full disk: SQLITE_FULL, or an
 * SQLITE_IOERR whose system errno is ENOSPC or EDQUOT.
 */
int disk_full_sqlite(struct sqlite3 *db);

/*
 * Append "the disk holding '<dir>' is full (<n> bytes free); free some
 * space and retry" to sb (the free space by statvfs(dir), left out when
 * that fails). dir is a folder; a file's folder is found with
 * disk_full_explain_path().
 */
void disk_full_explain(struct strbuf *sb, const char *dir);
/* The same for the folder that holds the file at path. */
void disk_full_explain_path(struct strbuf *sb, const char *path);

/*
 * The reason errno value e gives for a failure to write the file at path:
 * disk_full_explain_path()'s words when e means the disk is full, else
 * strerror(e). path may be NULL (then strerror(e) always).
 */
void disk_full_add_strerror(struct strbuf *sb, int e, const char *path);

#endif
