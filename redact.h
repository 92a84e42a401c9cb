#ifndef REDACT_H
#define REDACT_H

#include "strbuf.h"

/*
 * URLs as they may be shown or recorded: credentials are never printed,
 * logged or written into a manifest (DESIGN §6). Every URL quire prints
 * goes through redact_url(); usage.c's reporter passes each message
 * through redact_text() as a safety net.
 *
 * What is a secret, after "<scheme>://":
 *   - the password of a "user:password@" userinfo: the user name stays,
 *     "s3://user:<redacted>@bucket/x", as git shows it;
 *   - a userinfo without ':', which may be a token:
 *     "https://<redacted>@host/x";
 *   - the value of a query parameter that AWS presigned URLs use for
 *     their credentials (X-Amz-Signature, X-Amz-Credential,
 *     X-Amz-Security-Token, and SigV2's Signature), whatever its case:
 *     "...?X-Amz-Signature=<redacted>&...".
 * Everything else, and a string without "://", is kept as it is.
 */

/* Append url to out with its secrets replaced by "<redacted>". */
void redact_url(struct strbuf *out, const char *url);

/*
 * Append text (a message, a line of output) to out with the secrets of
 * every URL in it replaced. In text, a URL's authority ends at '/', '?',
 * '#', a blank, '"' or '\', and the URL also at '\'', '<' or '>'.
 * Redacting twice gives what redacting once gives.
 */
void redact_text(struct strbuf *out, const char *text);

/*
 * text was cut short (to fit a buffer): if it ends inside a URL's
 * authority, whose '@' may have been cut off, cut it after the "://".
 */
void redact_cut_text(char *text);

/*
 * Append url to out as it may be recorded in a manifest: as redact_url(),
 * but the whole userinfo ("user:password@") is left out, so that
 * nothing of it is recorded: "https://example.org/x.git".
 */
void redact_url_to_record(struct strbuf *out, const char *url);

#endif
