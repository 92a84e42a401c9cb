#ifndef REV_URL_H
#define REV_URL_H

#include "strbuf.h"

/*
 * A package revision that names its registry, as people write them:
 *
 *   s3://<bucket>[/<prefix>]/<ns>/<name>[:<tag>|@<hash>]
 *   file:///<folder>/<ns>/<name>[:<tag>|@<hash>]
 *   <registry>#<ns>/<name>[:<tag>|@<hash>]
 *   quilt+s3://<bucket>[/<prefix>]#package=<ns>/<name>[@<hash>|:<tag>]
 *       [&path=<logical key>][&catalog=<host>]
 *
 * (quilt's ":latest" is quire's plain name.) A revision in none of these
 * forms carries no registry.
 */
struct rev_url {
	char *registry;	/* NULL: the revision names none */
	char *rev;	/* <ns>/<name>[:<tag>|@<hash>], or the argument */
	char *path;	/* quilt's &path=, else NULL */
};

/*
 * Split arg into *u (release it with rev_url_release()). 0, or
 * QERR_USAGE when arg is one of these forms but malformed (err says how
 * to write it).
 */
int rev_url_parse(struct rev_url *u, const char *arg, struct strbuf *err);
void rev_url_release(struct rev_url *u);

/* Does arg name a registry of its own (one of the forms above)? */
int rev_url_has_registry(const char *arg);

#endif
