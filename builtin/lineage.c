#include "builtin.h"
#include "json.h"
#include "parse-options.h"
#include "porcelain.h"
#include "provenance.h"
#include "rev-url.h"
#include "redact.h"
#include "registry.h"

static const char * const lineage_usage[] = {
	"quire lineage [--registry <registry>] [--json] <revision>",
	NULL
};

/*
 * A package version of the graph, in the order first visited. A version
 * is known by its registry and top hash, as its children recorded them.
 */
struct node {
	char *name;		/* "ns/name"; NULL for an unnamed workspace */
	char *registry;		/* its URL; NULL for a workspace revision */
	char *top;		/* 64 hex digits */
	struct json *meta;	/* line 1 of its manifest; NULL: unavailable */
	char *error;		/* why it is unavailable */
};

/* A version still to show, and where its line goes in the tree. */
struct pending {
	char *label;		/* what the line calls it: "ns/name", "HEAD" */
	char *name, *registry, *top;	/* as recorded; may be NULL */
	char *lead;		/* before its own line: "│   ├── " */
	char *indent;		/* before the lines below it: "│   │   " */
};

struct lineage {
	struct workspace *ws;
	int json;
	struct node *nodes;
	size_t nr, alloc;
	struct pending *stack;	/* depth-first, without recursion */
	size_t depth, stack_alloc;
};

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void pending_release(struct pending *p)
{
	free(p->label);
	free(p->name);
	free(p->registry);
	free(p->top);
	free(p->lead);
	free(p->indent);
}

static void node_release(struct node *n)
{
	free(n->name);
	free(n->registry);
	free(n->top);
	json_free(n->meta);
	free(n->error);
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The index of the version (registry, top) already visited, or -1. */
static long find_node(const struct lineage *lg, const char *registry,
		      const char *top)
{
	size_t i;

	for (i = 0; i < lg->nr; i++)
		if (same_str(lg->nodes[i].registry, registry) &&
		    same_str(lg->nodes[i].top, top))
			return (long)i;
	return -1;
}

static const struct json *get_member(const struct json *obj,
				     const char *key, enum json_type type)
{
	const struct json *v = obj && obj->type == JSON_OBJECT ?
			       json_object_get(obj, key) : NULL;

	return v && v->type == type ? v : NULL;
}

static const char *get_string(const struct json *obj, const char *key)
{
	const struct json *v = get_member(obj, key, JSON_STRING);

	return v ? v->u.str.s : NULL;
}

static const struct json *provenance_of(const struct node *n)
{
	return get_member(n->meta, "provenance", JSON_OBJECT);
}

static const struct json *parents_of(const struct node *n)
{
	return get_member(provenance_of(n), "parents", JSON_ARRAY);
}

/* Is a recorded parent whole: a package name, a registry, a top hash? */
static int check_record(const struct pending *p, struct strbuf *err)
{
	struct object_id oid;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	if (!p->name || !p->registry || !p->top || !*p->registry) {
		strbuf_addstr(err, "the record of this parent lacks its name, "
			      "registry or top_hash");
		ret = QERR_CORRUPT;
	} else if (oid_from_value(&oid, HASH_MANIFEST, p->top,
				  strlen(p->top))) {
		strbuf_addstr(err, "the recorded top_hash is not 64 hex "
			      "digits");
		ret = QERR_CORRUPT;
	} else if (package_name_check(p->name, &why) < 0) {
		strbuf_addf(err, "the recorded name: %s", why.buf);
		ret = QERR_CORRUPT;
	}
	strbuf_release(&why);
	return ret;
}

/* Open a recorded parent in its own registry and read its metadata. */
static int open_parent(struct lineage *lg, const struct pending *p,
		       struct json **meta, struct strbuf *err)
{
	struct strbuf rev = STRBUF_INIT;
	struct object_id top;
	int ret = check_record(p, err);

	if (!ret) {
		strbuf_addf(&rev, "%s@%s", p->name, p->top);
		ret = porcelain_version_meta(lg->ws, p->registry, rev.buf,
					     &top, meta, err);
	}
	strbuf_release(&rev);
	return ret;
}

/* Visit p for the first time: a new node, opened or unavailable. */
static size_t add_node(struct lineage *lg, const struct pending *p)
{
	struct strbuf err = STRBUF_INIT;
	struct json *meta = NULL;
	struct node *n;

	if (open_parent(lg, p, &meta, &err) < 0)
		meta = NULL;
	ALLOC_GROW(lg->nodes, lg->nr + 1, lg->alloc);
	n = &lg->nodes[lg->nr];
	n->name = xstrdup_or_null(p->name);
	n->registry = xstrdup_or_null(p->registry);
	n->top = xstrdup_or_null(p->top);
	n->meta = meta;
	n->error = meta ? NULL : strbuf_detach(&err, NULL);
	strbuf_release(&err);
	return lg->nr++;
}

static void push(struct lineage *lg, struct pending *p)
{
	ALLOC_GROW(lg->stack, lg->depth + 1, lg->stack_alloc);
	lg->stack[lg->depth++] = *p;
}

static char *joined(const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s%s", a, b);
	return strbuf_detach(&sb, NULL);
}

/* Queue the parents of node n, below the line of p, first on top. */
static void push_parents(struct lineage *lg, size_t n,
			 const struct pending *p)
{
	const struct json *arr = parents_of(&lg->nodes[n]);
	size_t i;

	for (i = arr ? arr->u.arr.nr : 0; i > 0; i--) {
		const struct json *rec = arr->u.arr.v[i - 1];
		int last = i == arr->u.arr.nr;
		struct pending c;

		c.name = xstrdup_or_null(get_string(rec, "name"));
		c.registry = xstrdup_or_null(get_string(rec, "registry"));
		c.top = xstrdup_or_null(get_string(rec, "top_hash"));
		c.label = xstrdup(c.name ? c.name : "?");
		c.lead = joined(p->indent, last ? "└── " : "├── ");
		c.indent = joined(p->indent, last ? "    " : "│   ");
		push(lg, &c);
	}
}

/* text */

/* A message on one line: control characters become spaces. */
static void add_one_line(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		strbuf_addch(sb, (unsigned char)*s < 0x20 ? ' ' : *s);
}

static void print_line(const struct pending *p, const struct node *n,
		       const char *suffix)
{
	struct strbuf sb = STRBUF_INIT, shown = STRBUF_INIT;
	const char *msg = get_string(n->meta, "message");

	strbuf_addf(&sb, "%s%s@%.12s", p->lead, p->label,
		    p->top ? p->top : "?");
	if (n->registry)
		strbuf_addf(&sb, " %s", n->registry);
	if (suffix) {
		strbuf_addstr(&sb, suffix);
	} else if (n->error) {
		strbuf_addstr(&sb, " (unavailable: ");
		add_one_line(&sb, n->error);
		strbuf_addch(&sb, ')');
	} else if (msg && *msg) {
		strbuf_addstr(&sb, ": ");
		add_one_line(&sb, msg);
	}
	/* a recorded registry, or one in an error, may hold credentials */
	redact_text(&shown, sb.buf);
	printf("%s\n", shown.buf);
	strbuf_release(&sb);
	strbuf_release(&shown);
}

/* Print a recorded value with the credentials of its URLs redacted. */
static void print_redacted(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	redact_text(&sb, s);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

static void print_source(const char *pre, const struct json *src)
{
	const char *url = get_string(src, "url");
	const char *commit = get_string(src, "commit");
	const char *version = get_string(src, "version");
	int dirty = !!get_member(src, "dirty", JSON_TRUE);

	if (!url && !commit && !version && !dirty)
		return;
	printf("%ssource:", pre);
	if (url) {
		printf(" ");
		print_redacted(url);
	}
	if (commit)
		printf(" %s", commit);
	if (version || dirty)
		printf(" (%s%s%s)", version ? version : "",
		       version && dirty ? ", " : "", dirty ? "dirty" : "");
	printf("\n");
}

static void print_inputs(const char *pre, const struct json *arr)
{
	const struct json *size, *rec;
	const char *where;
	size_t i;

	for (i = 0; arr && i < arr->u.arr.nr; i++) {
		rec = arr->u.arr.v[i];
		where = get_string(rec, "path");
		if (!where)
			where = get_string(rec, "url");
		size = get_member(rec, "size", JSON_INT);
		printf("%sinput: ", pre);
		print_redacted(where ? where : "?");
		if (size)
			printf(" (%s bytes)", size->u.str.s);
		printf("\n");
	}
}

static void print_env(const char *pre, const struct json *env)
{
	const struct json_member *m;
	size_t i;

	for (i = 0; env && i < env->u.obj.nr; i++) {
		m = &env->u.obj.m[i];
		if (m->value->type != JSON_STRING)
			continue;
		printf("%senv: %s=", pre, m->key);
		print_redacted(m->value->u.str.s);
		printf("\n");
	}
}

/* Source, inputs and environment, on lines of their own below n's. */
static void print_details(const struct pending *p, const struct node *n)
{
	const struct json *prov = provenance_of(n);
	const struct json *parents = parents_of(n);
	char *pre;

	if (!prov)
		return;
	pre = joined(p->indent, parents && parents->u.arr.nr ?
		     "│   " : "    ");
	print_source(pre, get_member(prov, "source", JSON_OBJECT));
	print_inputs(pre, get_member(prov, "inputs", JSON_ARRAY));
	print_env(pre, get_member(prov, "environment", JSON_OBJECT));
	free(pre);
}

static void show(struct lineage *lg, const struct pending *p, size_t n)
{
	if (lg->json)
		return;
	print_line(p, &lg->nodes[n], NULL);
	print_details(p, &lg->nodes[n]);
}

/*
 * Depth first from the root (node 0, opened already), parents in their
 * order: each version in full once, then as "(see above)".
 */
static void walk(struct lineage *lg, const struct pending *root)
{
	struct pending p;
	long seen;
	size_t n;

	show(lg, root, 0);
	push_parents(lg, 0, root);
	while (lg->depth) {
		p = lg->stack[--lg->depth];
		seen = find_node(lg, p.registry, p.top);
		if (seen >= 0 && !lg->json) {
			print_line(&p, &lg->nodes[seen], " (see above)");
		} else if (seen < 0) {
			n = add_node(lg, &p);
			show(lg, &p, n);
			push_parents(lg, n, &p);
		}
		pending_release(&p);
	}
}

/* json */

static struct json *string_or_null(const char *s)
{
	return s ? json_new_string(s, strlen(s)) : json_new_null();
}

static struct json *node_json(const struct node *n)
{
	struct json *o = json_new_object(), *parents = json_new_array();
	const struct json *arr = parents_of(n), *prov = provenance_of(n);
	const char *top;
	size_t i;

	json_object_set(o, "top_hash", 8, string_or_null(n->top));
	json_object_set(o, "name", 4, string_or_null(n->name));
	json_object_set(o, "registry", 8, string_or_null(n->registry));
	json_object_set(o, "message", 7,
			string_or_null(get_string(n->meta, "message")));
	if (prov)
		json_object_set(o, "provenance", 10, json_dup(prov));
	for (i = 0; arr && i < arr->u.arr.nr; i++) {
		top = get_string(arr->u.arr.v[i], "top_hash");
		json_array_append(parents, string_or_null(top));
	}
	json_object_set(o, "parents", 7, parents);
	if (n->error)
		json_object_set(o, "error", 5, string_or_null(n->error));
	return o;
}

static void print_json(const struct lineage *lg)
{
	struct json *doc = json_new_object(), *nodes = json_new_array();
	struct strbuf out = STRBUF_INIT, shown = STRBUF_INIT;
	size_t i;

	json_object_set(doc, "root", 4, string_or_null(lg->nodes[0].top));
	for (i = 0; i < lg->nr; i++)
		json_array_append(nodes, node_json(&lg->nodes[i]));
	json_object_set(doc, "nodes", 5, nodes);
	json_write_python(&out, doc);
	redact_text(&shown, out.buf);
	printf("%s\n", shown.buf);
	json_free(doc);
	strbuf_release(&out);
	strbuf_release(&shown);
}

/* the root */

/*
 * Split a revision that names its registry (rev-url.h; see --parent of
 * quire-commit(1)); a plain revision is left alone.
 */
static void split_root(const char **reg_arg, const char **rev,
		       char **reg_own, char **rev_own)
{
	struct strbuf err = STRBUF_INIT;

	*reg_own = *rev_own = NULL;
	if (!rev_url_has_registry(*rev))
		return;
	if (provenance_parent_parse(*rev, reg_own, rev_own, &err) < 0)
		die("%s", err.buf);
	if (*reg_arg && *reg_own)
		die("'%s' names its registry; leave out --registry", *rev);
	if (*reg_own)
		*reg_arg = *reg_own;
	*rev = *rev_own;
}

static int is_hex(const char *s)
{
	for (; *s; s++)
		if (hexval(*s) < 0)
			return 0;
	return 1;
}

/*
 * The name and registry URL of a package revision, or of a local one:
 * the workspace's package name, else the revision as given (HEAD, a tag),
 * else "workspace" (for a hash).
 */
static void root_place(struct workspace *ws, const char *reg_arg,
		       const char *rev, struct pending *p)
{
	struct strbuf err = STRBUF_INIT;
	struct package_rev prev;
	struct registry *reg;
	const char *name;

	if (!package_rev_like(rev)) {
		name = ws ? workspace_package_name(ws) : NULL;
		p->name = xstrdup_or_null(name);
		p->label = xstrdup(name ? name : is_hex(rev) ? "workspace" :
				   rev);
		return;
	}
	if (package_rev_parse(&prev, rev, &err) < 0 ||
	    porcelain_registry(ws, reg_arg, 0, &reg, &err) < 0)
		die("%s", err.buf);
	p->name = xstrdup(prev.name);
	p->label = xstrdup(prev.name);
	p->registry = xstrdup(registry_url(reg));
	registry_free(reg);
	package_rev_release(&prev);
	strbuf_release(&err);
}

/* Open the revision the user named; it must be there. */
static void open_root(struct lineage *lg, const char *reg_arg,
		      const char *rev, struct pending *p)
{
	struct strbuf err = STRBUF_INIT;
	struct object_id top;
	struct json *meta;
	struct node *n;

	memset(p, 0, sizeof(*p));
	root_place(lg->ws, reg_arg, rev, p);
	if (porcelain_version_meta(lg->ws, reg_arg, rev, &top, &meta,
				   &err) < 0)
		die("%s", err.buf);
	p->top = xstrdup(oid_to_hex(&top));
	p->lead = xstrdup("");
	p->indent = xstrdup("");
	ALLOC_GROW(lg->nodes, lg->nr + 1, lg->alloc);
	n = &lg->nodes[lg->nr++];
	memset(n, 0, sizeof(*n));
	n->meta = meta;
	n->name = xstrdup_or_null(p->name);
	n->registry = xstrdup_or_null(p->registry);
	n->top = xstrdup(p->top);
	strbuf_release(&err);
}

int cmd_lineage(int argc, const char **argv, const char *prefix,
		struct workspace *ws)
{
	struct lineage lg = { 0 };
	struct pending root;
	const char *reg = NULL, *rev;
	char *reg_own, *rev_own;
	size_t i;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_BOOL(0, "json", &lg.json, "print the graph as JSON"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, lineage_usage, 0);
	if (argc != 1)
		usage_with_options(lineage_usage, options);
	rev = argv[0];
	split_root(&reg, &rev, &reg_own, &rev_own);
	lg.ws = ws;
	open_root(&lg, reg, rev, &root);
	walk(&lg, &root);
	if (lg.json)
		print_json(&lg);
	pending_release(&root);
	for (i = 0; i < lg.nr; i++)
		node_release(&lg.nodes[i]);
	free(lg.nodes);
	free(lg.stack);
	free(reg_own);
	free(rev_own);
	return 0;
}
