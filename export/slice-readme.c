#include "quire-compat.h"
#include "export/slice-internal.h"

/* How a slice describes itself: its README.md and its metadata. */

/* s as a Markdown code span fit for a table cell. */
static void md_code(struct strbuf *out, const char *s)
{
	int run = 0, longest = 0, i;
	const char *p;

	for (p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i <= longest; i++)
		strbuf_addch(out, '`');
	if (*s == '`' || (*s && s[strlen(s) - 1] == '`'))
		strbuf_addch(out, ' ');
	for (p = s; *p; p++) {
		if (*p == '|')
			strbuf_addstr(out, "\\|");
		else if (*p == '\n' || *p == '\r')
			strbuf_addch(out, ' ');
		else
			strbuf_addch(out, *p);
	}
	if (*s == '`' || (*s && s[strlen(s) - 1] == '`'))
		strbuf_addch(out, ' ');
	for (i = 0; i <= longest; i++)
		strbuf_addch(out, '`');
}

static void readme_leaves(struct strbuf *out, const struct slice *s)
{
	size_t i;

	strbuf_addstr(out, "## Leaves\n\nThe rows these restrictions "
		      "select, and every row they depend on:\n\n"
		      "| table | restriction |\n| --- | --- |\n");
	for (i = 0; i < s->leaves.nr; i++) {
		strbuf_addstr(out, "| ");
		md_code(out, s->leaves.v[i].table);
		strbuf_addstr(out, " | ");
		md_code(out, s->leaves.v[i].restriction);
		strbuf_addstr(out, " |\n");
	}
}

static void readme_tables(struct strbuf *out, const struct slice *s)
{
	int i;

	strbuf_addstr(out, "\n## Tables\n\n| table | rows |\n| --- | ---: |\n");
	for (i = 0; i < s->schema.ntables; i++) {
		strbuf_addstr(out, "| ");
		md_code(out, s->schema.tables[i].name);
		strbuf_addf(out, " | %" PRIu64 " |\n", s->tables[i].rows);
	}
	strbuf_addf(out, "| total | %" PRIu64 " |\n", slice_total_rows(s));
}

static void readme_files(struct strbuf *out, const struct slice_summary *sum)
{
	size_t i;

	if (!sum->file_columns || !sum->file_columns->nr)
		return;
	strbuf_addstr(out, "\n## Files\n\nThe files that the columns ");
	for (i = 0; i < sum->file_columns->nr; i++) {
		if (i)
			strbuf_addstr(out, i + 1 < sum->file_columns->nr ?
				      ", " : " and ");
		md_code(out, sum->file_columns->items[i]);
	}
	strbuf_addf(out, " name in the rows of the slice are in `files/` "
		    "(%" PRIu64 " file%s). The rows keep the paths as the "
		    "database has them; the metadata of each file's entry "
		    "gives its path as stored, under `path`.\n", sum->files,
		    sum->files == 1 ? "" : "s");
}

static void readme_contents(struct strbuf *out, const struct slice *s)
{
	const char *engine = db_engine(s->src);

	strbuf_addstr(out, "\n## Contents\n\n"
		      "- `slice.sqlite`: the slice, an SQLite database.\n");
	if (!strcmp(engine, "mysql")) {
		strbuf_addstr(out, "  Decimals, dates, times, enums, JSON and "
			      "unsigned 64-bit integers are kept as the "
			      "server wrote them, as text; binary columns "
			      "as blobs.\n"
			      "- `slice.sql`: the slice for MySQL or "
			      "MariaDB, with the database's own CREATE "
			      "statements. To load it into an empty "
			      "database:\n\n"
			      "      mysql newdb < slice.sql\n");
	} else if (!strcmp(engine, "postgresql")) {
		strbuf_addstr(out, "  Numerics, dates, times, intervals, "
			      "enums, JSON, UUIDs and arrays are kept as "
			      "the server wrote them, as text; booleans as "
			      "1 and 0; bytea as blobs.\n"
			      "- `slice.sql`: the slice for PostgreSQL, "
			      "with the schema's types, tables, keys and "
			      "indexes. To load it into an empty "
			      "database:\n\n"
			      "      psql -v ON_ERROR_STOP=1 -d newdb -f "
			      "slice.sql\n");
	} else {
		strbuf_addstr(out, "- `slice.sql`: the same as SQL text. To "
			      "rebuild the database from it:\n\n"
			      "      sqlite3 slice.db < slice.sql\n");
	}
}

void slice_readme(struct strbuf *out, const struct slice *s,
		  const struct slice_summary *sum)
{
	strbuf_addf(out, "# %s\n\nA vertical slice of the database ",
		    sum->name);
	md_code(out, sum->source);
	strbuf_addstr(out, ": the rows that the leaves below select, and "
		      "every row they depend on through foreign keys, with "
		      "the database's own schema, so that its foreign keys "
		      "hold in the slice as they do in the database.\n\n");
	readme_leaves(out, s);
	readme_tables(out, s);
	readme_files(out, sum);
	readme_contents(out, s);
}

struct json *slice_meta(const struct slice *s,
			const struct slice_summary *sum)
{
	struct json *meta = json_new_object(), *leaves = json_new_array();
	struct json *tables = json_new_object(), *leaf;
	const char *name;
	size_t i;
	int t;

	json_object_set(meta, "source", 6,
			json_new_string(sum->source, strlen(sum->source)));
	for (i = 0; i < s->leaves.nr; i++) {
		leaf = json_new_object();
		name = s->leaves.v[i].table;
		json_object_set(leaf, "table", 5,
				json_new_string(name, strlen(name)));
		name = s->leaves.v[i].restriction;
		json_object_set(leaf, "restriction", 11,
				json_new_string(name, strlen(name)));
		json_array_append(leaves, leaf);
	}
	json_object_set(meta, "leaves", 6, leaves);
	for (t = 0; t < s->schema.ntables; t++) {
		name = s->schema.tables[t].name;
		json_object_set(tables, name, strlen(name),
				json_new_uint(s->tables[t].rows));
	}
	json_object_set(meta, "tables", 6, tables);
	json_object_set(meta, "files", 5, json_new_uint(sum->files));
	return meta;
}
