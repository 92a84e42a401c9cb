#ifndef DIR_LIST_H
#define DIR_LIST_H

/*
 * The regular files below a folder, as paths relative to it. Folder
 * links are never followed (no cycles); links to files are, with
 * DIR_LIST_FOLLOW_FILE_LINKS.
 */
struct path_list {
	char **items;
	size_t nr, alloc;
};

enum dir_list_flags {
	DIR_LIST_FOLLOW_FILE_LINKS = (1 << 0),
};

/* Leave out a file, or a folder and all below it: return 1. */
typedef int dir_list_skip_fn(const char *name, int is_dir, void *payload);

/*
 * Append the files below root/start (start "" for root itself) to out,
 * named relative to root, in no particular order. skip may be NULL.
 * 0, or -1 with errno set when a folder could not be read (what could be
 * read is listed all the same).
 */
int dir_list(const char *root, const char *start, unsigned flags,
	     dir_list_skip_fn *skip, void *payload, struct path_list *out);

/*
 * The same, without a list: fn(rel, len, payload) for each file (rel
 * relative to root; it holds only during the call), and skip gets the
 * same payload. A non-zero return from fn stops the walk and is
 * returned. Each name is looked up relative to its open folder.
 */
typedef int dir_walk_fn(const char *rel, size_t len, void *payload);
int dir_walk(const char *root, const char *start, unsigned flags,
	     dir_list_skip_fn *skip, dir_walk_fn *fn, void *payload);

/*
 * dir_walk() that keeps ig (begun by the caller at root/start, see
 * ignore_begin(); NULL: nothing is ignored) in step with the folders it
 * goes through: what ig excludes is left out (a folder is never read)
 * and, when ignored is not NULL, given to it, after skip has let it by.
 */
struct ignore;
typedef int dir_ignored_fn(const char *rel, size_t len, int is_dir,
			   void *payload);
int dir_walk_ignore(const char *root, const char *start, unsigned flags,
		    struct ignore *ig, dir_list_skip_fn *skip,
		    dir_walk_fn *fn, dir_ignored_fn *ignored, void *payload);

/* Sort by strcmp (cmp NULL) or by cmp. */
void path_list_sort(struct path_list *pl,
		    int (*cmp)(const void *, const void *));
void path_list_release(struct path_list *pl);

#endif
