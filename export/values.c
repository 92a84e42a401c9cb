#include "quire-compat.h"
#include "db/db.h"
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

static void sql_real(struct strbuf *sb, double d)
{
	if (isinf(d))
		strbuf_addstr(sb, d < 0 ? "-1e999" : "1e999");
	else
		json_format_double(sb, d);
}

static void blob_literal(struct strbuf *sb, const struct db_value *v)
{
	strbuf_addstr(sb, "X'");
	strbuf_add_hex(sb, (const unsigned char *)v->p, v->len);
	strbuf_addch(sb, '\'');
}

void export_value_sql(struct strbuf *sb, const struct db_value *v)
{
	size_t i;

	switch (v->type) {
	case DB_NULL:
		strbuf_addstr(sb, "NULL");
		return;
	case DB_INTEGER:
		strbuf_addf(sb, "%" PRId64, v->i);
		return;
	case DB_REAL:
		sql_real(sb, v->r);
		return;
	case DB_TEXT:
		if (memchr(v->p, '\0', v->len)) {
			/* a NUL would end the literal: write the bytes */
			strbuf_addstr(sb, "CAST(");
			blob_literal(sb, v);
			strbuf_addstr(sb, " AS TEXT)");
			return;
		}
		strbuf_addch(sb, '\'');
		for (i = 0; i < v->len; i++) {
			if (v->p[i] == '\'')
				strbuf_addch(sb, '\'');
			strbuf_addch(sb, v->p[i]);
		}
		strbuf_addch(sb, '\'');
		return;
	case DB_BLOB:
		blob_literal(sb, v);
		return;
	}
	BUG("bad value type %d", v->type);
}
