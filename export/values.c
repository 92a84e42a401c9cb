#include "quire-compat.h"
#include "db/backend.h"
#include "export/export.h"
#include "hash.h"
#include "utf8.h"
#include <math.h>

/* Bytes that are not UTF-8 text travel as base64 in JSON and CSV. */
static int as_base64(const struct db_value *v)
{
	return v->type == DB_BLOB ||
	       (v->type == DB_TEXT && !utf8_valid(v->p, v->len));
}

struct json *export_value_json(const struct db_value *v)
{
	struct strbuf sb = STRBUF_INIT;
	struct json *j;

	switch (v->type) {
	case DB_NULL:
		return json_new_null();
	case DB_INTEGER:
		return json_new_int(v->i);
	case DB_REAL:
		return json_new_float(v->r);
	case DB_TEXT:
	case DB_BLOB:
		if (!as_base64(v))
			return json_new_string(v->p, v->len);
		base64_encode(&sb, (const unsigned char *)v->p, v->len);
		j = json_new_string(sb.buf, sb.len);
		strbuf_release(&sb);
		return j;
	}
	BUG("bad value type %d", v->type);
}

void export_value_text(struct strbuf *sb, const struct db_value *v)
{
	switch (v->type) {
	case DB_NULL:
		return;
	case DB_INTEGER:
		strbuf_addf(sb, "%" PRId64, v->i);
		return;
	case DB_REAL:
		/* Python's repr: inf, not JSON's Infinity */
		if (isinf(v->r))
			strbuf_addstr(sb, v->r < 0 ? "-inf" : "inf");
		else
			json_format_double(sb, v->r);
		return;
	case DB_TEXT:
	case DB_BLOB:
		if (as_base64(v))
			base64_encode(sb, (const unsigned char *)v->p, v->len);
		else
			strbuf_add(sb, v->p, v->len);
		return;
	}
	BUG("bad value type %d", v->type);
}

void export_value_sql(struct strbuf *sb, const struct db_value *v)
{
	db_sqlite_backend.literal(sb, v);
}
