#ifndef S3_XML_H
#define S3_XML_H

#include "strbuf.h"

/*
 * Streaming reader for S3's XML answers (expat). Each element's text is
 * handed to on_element when the element ends, with its path from the
 * root: "ListBucketResult/Contents/Key". Bytes may be fed in pieces as
 * they arrive, so a listing of any size is read in constant memory.
 */
struct xml_stream;

typedef void (*xml_element_fn)(const char *path, const char *text,
			       size_t len, void *payload);

struct xml_stream *xml_stream_new(xml_element_fn fn, void *payload);
/* 0, or -1 when the bytes are not well-formed XML. */
int xml_stream_feed(struct xml_stream *x, const char *p, size_t n,
		    int final);
/* Start again from nothing (a retried request). */
void xml_stream_reset(struct xml_stream *x);
/* Why the last feed failed, for messages. */
const char *xml_stream_error(struct xml_stream *x);
void xml_stream_free(struct xml_stream *x);

/* Append text to out with &, <, >, " and ' escaped. */
void xml_escape(struct strbuf *out, const char *text);

#endif
