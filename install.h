#ifndef INSTALL_H
#define INSTALL_H

#include "checkout.h"
#include "hash.h"
#include "strbuf.h"

struct workspace;

/*
 * install: a package version from a registry into a folder of its own
 * (a workspace made for it, or the one it already is), incrementally and
 * verified, as checkout_version() does.
 */
struct install_request {
	const char *registry;	/* NULL: origin, else the default registry */
	const char *rev;	/* ns/name[:tag|@hash] */
	const char *to;		/* NULL: ./<name> */
	const char *link;	/* NULL: install.link, else copy */
	struct checkout_opts opts;
};

/*
 * The package is found before anything is made: a failed install leaves
 * no workspace behind. *ws gets the target workspace (free it), *top the
 * version installed.
 */
int install_package(struct install_request *rq, struct workspace **ws,
		    struct object_id *top, struct checkout_stats *stats,
		    struct strbuf *kept, struct strbuf *err);

#endif
