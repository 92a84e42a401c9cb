#include "db/mysql-internal.h"
#include "json.h"
#include "utf8.h"
#include "wrapper.h"
#include <ctype.h>
#include <math.h>

/*
 * MySQL's types and values as db.h sees them:
 *   tinyint..bigint, int unsigned, year     INTEGER
 *   bigint unsigned                         TEXT (decimal digits, exact)
 *   float, double                           REAL
 *   decimal, date, time, datetime,
 *   timestamp                               TEXT, as the server prints it
 *   char, varchar, text, enum, set, json    TEXT
 *   binary, varbinary, blob, bit, geometry  BLOB (the bytes)
 */

#define BINARY_CHARSET 63

static int is_binary(const MYSQL_FIELD *f)
{
	return f->charsetnr == BINARY_CHARSET &&
	       !(f->flags & (ENUM_FLAG | SET_FLAG));
}

/* MariaDB says which columns hold JSON in the field's format. */
static int is_json(const MYSQL_FIELD *f)
{
	MARIADB_CONST_STRING fmt = { NULL, 0 };

	if (f->type == MYSQL_TYPE_JSON)
		return 1;
	return !mariadb_field_attr(&fmt, f, MARIADB_FIELD_ATTR_FORMAT_NAME) &&
	       fmt.length == 4 && !memcmp(fmt.str, "json", 4);
}

/* Characters, not bytes: the result's length is in its charset's bytes. */
static unsigned long field_chars(const MYSQL_FIELD *f)
{
	const MARIADB_CHARSET_INFO *cs;

	if (is_binary(f))
		return f->length;
	cs = mariadb_get_charset_by_nr(f->charsetnr);
	if (!cs || cs->char_maxlen < 1)
		return f->length;
	return f->length / cs->char_maxlen;
}

static const char *int_name(enum enum_field_types t)
{
	switch (t) {
	case MYSQL_TYPE_TINY:
		return "tinyint";
	case MYSQL_TYPE_SHORT:
		return "smallint";
	case MYSQL_TYPE_INT24:
		return "mediumint";
	case MYSQL_TYPE_LONG:
		return "int";
	case MYSQL_TYPE_LONGLONG:
		return "bigint";
	default:
		return NULL;
	}
}

/* tinytext .. longtext, tinyblob .. longblob by the size they hold. */
static void sized_lob(struct strbuf *sb, unsigned long n, const char *kind)
{
	if (n <= 255)
		strbuf_addf(sb, "tiny%s", kind);
	else if (n <= 65535)
		strbuf_addstr(sb, kind);
	else if (n <= 16777215)
		strbuf_addf(sb, "medium%s", kind);
	else
		strbuf_addf(sb, "long%s", kind);
}

static void string_type(struct strbuf *sb, const MYSQL_FIELD *f)
{
	unsigned long n = field_chars(f);
	int fixed = f->type == MYSQL_TYPE_STRING &&
		    !(f->flags & (ENUM_FLAG | SET_FLAG));

	if (is_json(f))
		strbuf_addstr(sb, "json");
	else if (f->type == MYSQL_TYPE_TINY_BLOB ||
		 f->type == MYSQL_TYPE_MEDIUM_BLOB ||
		 f->type == MYSQL_TYPE_LONG_BLOB ||
		 f->type == MYSQL_TYPE_BLOB || f->length > 65532)
		sized_lob(sb, n, is_binary(f) ? "blob" : "text");
	else if (is_binary(f))
		strbuf_addf(sb, "%s(%lu)", fixed ? "binary" : "varbinary", n);
	else
		strbuf_addf(sb, "%s(%lu)", fixed ? "char" : "varchar", n);
}

/* decimal(p,s): the length counts the point and the sign. */
static void decimal_type(struct strbuf *sb, const MYSQL_FIELD *f)
{
	unsigned long p = f->length;

	if (f->decimals && p)
		p--;
	if (!(f->flags & UNSIGNED_FLAG) && p)
		p--;
	strbuf_addf(sb, "decimal(%lu,%u)", p ? p : 1, f->decimals);
}

static void temporal_type(struct strbuf *sb, const char *name,
			  const MYSQL_FIELD *f)
{
	strbuf_addstr(sb, name);
	if (f->decimals > 0 && f->decimals <= 6)
		strbuf_addf(sb, "(%u)", f->decimals);
}

void dbmysql_field_type(struct strbuf *sb, const MYSQL_FIELD *f)
{
	const char *name = int_name(f->type);

	if (name) {
		strbuf_addstr(sb, name);
		if (f->flags & UNSIGNED_FLAG)
			strbuf_addstr(sb, " unsigned");
		return;
	}
	switch (f->type) {
	case MYSQL_TYPE_YEAR:
		strbuf_addstr(sb, "year");
		break;
	case MYSQL_TYPE_FLOAT:
		strbuf_addstr(sb, "float");
		break;
	case MYSQL_TYPE_DOUBLE:
		strbuf_addstr(sb, "double");
		break;
	case MYSQL_TYPE_DECIMAL:
	case MYSQL_TYPE_NEWDECIMAL:
		decimal_type(sb, f);
		if (f->flags & UNSIGNED_FLAG)
			strbuf_addstr(sb, " unsigned");
		break;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_NEWDATE:
		strbuf_addstr(sb, "date");
		break;
	case MYSQL_TYPE_TIME:
		temporal_type(sb, "time", f);
		break;
	case MYSQL_TYPE_DATETIME:
		temporal_type(sb, "datetime", f);
		break;
	case MYSQL_TYPE_TIMESTAMP:
		temporal_type(sb, "timestamp", f);
		break;
	case MYSQL_TYPE_BIT:
		strbuf_addf(sb, "bit(%lu)", f->length ? f->length : 1);
		break;
	case MYSQL_TYPE_GEOMETRY:
		strbuf_addstr(sb, "geometry");
		break;
	case MYSQL_TYPE_JSON:
		strbuf_addstr(sb, "json");
		break;
	case MYSQL_TYPE_STRING:
	case MYSQL_TYPE_VAR_STRING:
	case MYSQL_TYPE_VARCHAR:
	case MYSQL_TYPE_TINY_BLOB:
	case MYSQL_TYPE_MEDIUM_BLOB:
	case MYSQL_TYPE_LONG_BLOB:
	case MYSQL_TYPE_BLOB:
		string_type(sb, f);
		break;
	default:
		break;	/* NULL, or a type the server does not send */
	}
}

enum db_type dbmysql_field_kind(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_YEAR:
		return DB_INTEGER;
	case MYSQL_TYPE_LONGLONG:
		return f->flags & UNSIGNED_FLAG ? DB_TEXT : DB_INTEGER;
	case MYSQL_TYPE_FLOAT:
	case MYSQL_TYPE_DOUBLE:
		return DB_REAL;
	case MYSQL_TYPE_BIT:
	case MYSQL_TYPE_GEOMETRY:
		return DB_BLOB;
	case MYSQL_TYPE_NULL:
		return DB_NULL;
	case MYSQL_TYPE_JSON:
		return DB_TEXT;
	case MYSQL_TYPE_STRING:
	case MYSQL_TYPE_VAR_STRING:
	case MYSQL_TYPE_VARCHAR:
	case MYSQL_TYPE_TINY_BLOB:
	case MYSQL_TYPE_MEDIUM_BLOB:
	case MYSQL_TYPE_LONG_BLOB:
	case MYSQL_TYPE_BLOB:
		return is_binary(f) && !is_json(f) ? DB_BLOB : DB_TEXT;
	default:
		return DB_TEXT;	/* decimals, dates and times, as printed */
	}
}

void dbmysql_value(enum db_type kind, const char *s, unsigned long len,
		   struct db_value *v)
{
	char num[64];

	memset(v, 0, sizeof(*v));
	if (!s)
		return;		/* DB_NULL */
	v->type = kind;
	if (kind == DB_INTEGER || kind == DB_REAL) {
		/* the server's digits; copied, as a row is not NUL-ended */
		if (len >= sizeof(num))
			len = sizeof(num) - 1;
		memcpy(num, s, len);
		num[len] = '\0';
		if (kind == DB_INTEGER)
			v->i = strtoll(num, NULL, 10);
		else
			v->r = strtod(num, NULL);
		return;
	}
	if (kind == DB_NULL)
		v->type = DB_TEXT;
	v->p = s;
	v->len = len;
}

/* The first word of a column type, lowercased: "int" of "int(10) unsigned". */
static void base_word(char *out, size_t size, const char *type)
{
	size_t i = 0;

	while (*type && isspace((unsigned char)*type))
		type++;
	for (; type[i] && i + 1 < size; i++) {
		if (!isalnum((unsigned char)type[i]) && type[i] != '_')
			break;
		out[i] = tolower((unsigned char)type[i]);
	}
	out[i] = '\0';
}

static int in_list(const char *word, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(word, *list))
			return 1;
	return 0;
}

const char *dbmysql_sqlite_type(const char *type)
{
	static const char *const integers[] = {
		"tinyint", "smallint", "mediumint", "middleint", "int",
		"integer", "bigint", "int1", "int2", "int3", "int4", "int8",
		"year", "bool", "boolean", NULL
	};
	static const char *const reals[] = {
		"float", "double", "real", "float4", "float8", NULL
	};
	static const char *const blobs[] = {
		"binary", "varbinary", "tinyblob", "blob", "mediumblob",
		"longblob", "bit", "geometry", "point", "linestring", "polygon",
		"multipoint", "multilinestring", "multipolygon",
		"geometrycollection", NULL
	};
	char word[32];

	base_word(word, sizeof(word), type);
	if (!strcmp(word, "serial") ||
	    (!strcmp(word, "bigint") && strcasestr(type, "unsigned")))
		return "TEXT";
	if (in_list(word, integers))
		return "INTEGER";
	if (in_list(word, reals))
		return "REAL";
	if (!*word || in_list(word, blobs))
		return "BLOB";
	return "TEXT";
}

const char *dbmysql_type_for(const char *sqlite_type)
{
	const char *aff = db_sqlite_affinity(sqlite_type);

	if (!strcmp(aff, "INTEGER"))
		return "bigint";
	if (!strcmp(aff, "REAL"))
		return "double";
	if (!strcmp(aff, "BLOB"))
		return "longblob";
	/* the text is UTF-8 whatever the database's default */
	return "longtext CHARACTER SET utf8mb4";
}

static void hex_literal(struct strbuf *sb, const char *intro,
			const struct db_value *v)
{
	strbuf_addf(sb, "%sX'", intro);
	strbuf_add_hex(sb, (const unsigned char *)v->p, v->len);
	strbuf_addch(sb, '\'');
}

/*
 * Can text go between quotes as it is, meaning the same whether or not
 * the server takes a backslash as an escape (NO_BACKSLASH_ESCAPES)?
 */
static int plain_text(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '\\' || (c < 0x20 && c != '\t' && c != '\n' &&
				  c != '\r') || c == 0x7f)
			return 0;
	}
	return 1;
}

static void text_literal(struct strbuf *sb, const struct db_value *v)
{
	if (!utf8_valid(v->p, v->len)) {
		hex_literal(sb, "", v);	/* bytes: a text column refuses them */
		return;
	}
	if (!plain_text(v->p, v->len)) {
		hex_literal(sb, "_utf8mb4 ", v);
		return;
	}
	db_add_quoted(sb, v->p, v->len);
}

/*
 * A real as a double literal (an exponent makes it one: "0.1" alone is
 * a decimal). MySQL has no infinity nor NaN: 1e999 makes the server
 * refuse the statement rather than store another number, and NaN is
 * written as the text 'NaN', which a number column refuses too.
 */
static void real_literal(struct strbuf *sb, double r)
{
	size_t start = sb->len;

	if (isnan(r)) {
		strbuf_addstr(sb, "'NaN'");
		return;
	}
	if (isinf(r)) {
		strbuf_addstr(sb, r < 0 ? "-1e999" : "1e999");
		return;
	}
	json_format_double(sb, r);
	if (!memchr(sb->buf + start, 'e', sb->len - start))
		strbuf_addstr(sb, "e0");
}

void dbmysql_literal(struct strbuf *sb, const struct db_value *v)
{
	switch (v->type) {
	case DB_NULL:
		strbuf_addstr(sb, "NULL");
		return;
	case DB_INTEGER:
		strbuf_addf(sb, "%" PRId64, v->i);
		return;
	case DB_REAL:
		real_literal(sb, v->r);
		return;
	case DB_TEXT:
		text_literal(sb, v);
		return;
	case DB_BLOB:
		hex_literal(sb, "", v);
		return;
	}
	BUG("bad value type %d", v->type);
}
