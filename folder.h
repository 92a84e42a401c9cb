#ifndef FOLDER_H
#define FOLDER_H

#include "dir-list.h"
#include "hash.h"
#include "strbuf.h"

/*
 * A folder seen as a package: its regular files (symbolic links to files
 * followed, folder links not; .quire skipped, and what its .quireignore
 * files exclude, as 'quire add' does) named by their path relative to
 * the folder.
 */
/* List dir's files into fl, in quilt3 order. 0 or QERR_* with err. */
int folder_list(const char *dir, struct path_list *fl, struct strbuf *err);

/*
 * The manifest dir would have as a package ({"version": "v0"} and each
 * file with a file:// physical key and its sha2-256-chunked hash, hashed
 * on all cores), written to out_fd; gives its top hash.
 */
int folder_build(const char *dir, int out_fd, struct object_id *top,
		 uint64_t *entries, struct strbuf *err);

#endif
