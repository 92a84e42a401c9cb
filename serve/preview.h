#ifndef SERVE_PREVIEW_H
#define SERVE_PREVIEW_H
#include "serve/serve.h"

struct vnode;

/* The image type of the bytes at fd (PNG, JPEG, GIF, WebP), or NULL. */
const char *image_type(const char *key, int fd);

/*
 * The preview of entry n (logical key key) of v, into r->body: text
 * and JSON (the first 256 KiB), CSV and TSV as a table (100 rows),
 * images inline from raw_href, or a line saying there is none.
 */
void preview(struct req *r, const struct version *v, const char *key,
	     const struct vnode *n, const char *raw_href);

#endif
