#include "quire-compat.h"
#include "json-out.h"
#include "manifest.h"
#include "redact.h"
#include <time.h>

void json_set(struct json *obj, const char *key, struct json *value)
{
	json_object_set(obj, key, strlen(key), value);
}

struct json *json_str(const char *s)
{
	return s ? json_new_string(s, strlen(s)) : json_new_null();
}

struct json *json_top_hash(const struct object_id *top)
{
	return top ? json_new_string(oid_to_hex(top), HASH_HEXSZ) :
		     json_new_null();
}

void json_format_time(struct strbuf *out, uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
	strbuf_addstr(out, buf);
}

struct json *json_time(uint64_t t)
{
	struct strbuf sb = STRBUF_INIT;
	struct json *j;

	json_format_time(&sb, t);
	j = json_new_string(sb.buf, sb.len);
	strbuf_release(&sb);
	return j;
}

struct json *json_url(const char *url)
{
	struct strbuf sb = STRBUF_INIT;
	struct json *j;

	if (!url)
		return json_new_null();
	redact_url(&sb, url);
	j = json_new_string(sb.buf, sb.len);
	strbuf_release(&sb);
	return j;
}

struct json *json_entry(const struct manifest_entry *e)
{
	struct json *o = json_new_object();

	json_set(o, "logical_key", json_new_string(e->key.buf, e->key.len));
	json_set(o, "type", json_str("file"));
	json_set(o, "size", json_new_uint(e->size));
	json_set(o, "hash", e->hash ? json_dup(e->hash) : json_new_null());
	json_set(o, "physical_key",
		 json_new_string(e->physical.buf, e->physical.len));
	json_set(o, "meta", e->meta ? json_dup(e->meta) : json_new_object());
	return o;
}

void json_print(struct json *j)
{
	struct strbuf sb = STRBUF_INIT;

	json_write_python(&sb, j);
	strbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	json_free(j);
}

void json_print_push(const char *name, const struct object_id *top,
		     const char *url, uint64_t uploaded, uint64_t reused,
		     uint64_t size)
{
	struct json *j = json_new_object();

	json_set(j, "name", json_str(name));
	json_set(j, "top_hash", json_top_hash(top));
	json_set(j, "registry", json_url(url));
	json_set(j, "uploaded", json_new_uint(uploaded));
	json_set(j, "reused", json_new_uint(reused));
	json_set(j, "size", json_new_uint(size));
	json_print(j);
}

/* The members of obj without its braces, then sep if there were any. */
static void print_members(struct json *obj, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;

	if (obj && obj->u.obj.nr) {
		json_write_python(&sb, obj);
		fwrite(sb.buf + 1, 1, sb.len - 2, stdout);
		fputs(sep, stdout);
	}
	strbuf_release(&sb);
	json_free(obj);
}

void json_list_begin(struct json_list *l, struct json *head,
		     const char *key)
{
	struct strbuf sb = STRBUF_INIT;

	l->nr = 0;
	putchar('{');
	print_members(head, ", ");
	json_write_string_python(&sb, key, strlen(key));
	printf("%s: [", sb.buf);
	strbuf_release(&sb);
}

void json_list_add(struct json_list *l, struct json *item)
{
	struct strbuf sb = STRBUF_INIT;

	if (l->nr++)
		strbuf_addstr(&sb, ", ");
	json_write_python(&sb, item);
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	json_free(item);
}

void json_list_end(struct json_list *l, struct json *tail)
{
	fputs("]", stdout);
	if (tail && tail->u.obj.nr)
		fputs(", ", stdout);
	print_members(tail, "");
	fputs("}\n", stdout);
	l->nr = 0;
}
