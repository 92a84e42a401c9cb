#include "quire-compat.h"
#include "lineage.h"
#include "json-out.h"
#include "porcelain.h"
#include "provenance.h"
#include "redact.h"
#include "registry.h"
#include "rev-url.h"
#include "workspace.h"

/* A version still to walk, as its child recorded it. */
struct lineage_pending {
	char *label;		/* what its line calls it: "ns/name", "HEAD" */
	char *name, *registry, *top;	/* as recorded; may be NULL */
	size_t depth;
	int last;
};

/* What one walk needs besides the graph. */
struct walk {
	struct workspace *ws;
	const struct lineage_opts *opts;
	lineage_line_fn *fn;
	void *payload;
};

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void pending_release(struct lineage_pending *p)
{
	free(p->label);
	free(p->name);
	free(p->registry);
	free(p->top);
}

static void node_release(struct lineage_node *n)
{
	free(n->name);
	free(n->registry);
	free(n->top);
	json_free(n->meta);
	free(n->error);
}

void lineage_release(struct lineage *lg)
{
	size_t i;

	for (i = 0; i < lg->nr; i++)
		node_release(&lg->nodes[i]);
	free(lg->nodes);
	for (i = 0; i < lg->depth; i++)
		pending_release(&lg->stack[i]);
	free(lg->stack);
	memset(lg, 0, sizeof(*lg));
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The index of the version (registry, top) already met, or -1. */
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

const struct json *lineage_node_provenance(const struct lineage_node *n)
{
	return json_member_of(n->meta, "provenance", JSON_OBJECT);
}

const struct json *lineage_node_parents(const struct lineage_node *n)
{
	return json_member_of(lineage_node_provenance(n), "parents",
			      JSON_ARRAY);
}

const char *lineage_node_message(const struct lineage_node *n)
{
	return json_string_of(n->meta, "message");
}

/* Is a recorded parent whole: a package name, a registry, a top hash? */
static int check_record(const struct lineage_pending *p, struct strbuf *err)
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
static int open_parent(struct lineage *lg, const struct walk *w,
		       const struct lineage_pending *p, struct json **meta,
		       struct strbuf *err)
{
	struct strbuf rev = STRBUF_INIT;
	struct object_id top;
	int ret = check_record(p, err);

	if (!ret && w->opts && (w->opts->flags & LINEAGE_SAME_REGISTRY) &&
	    !same_str(p->registry, lg->nodes[0].registry)) {
		strbuf_addstr(err, "recorded in another registry; not opened "
			      "here");
		ret = QERR_USAGE;
	}
	if (!ret) {
		strbuf_addf(&rev, "%s@%s", p->name, p->top);
		ret = porcelain_version_meta(w->ws, p->registry, rev.buf,
					     &top, meta, err);
	}
	strbuf_release(&rev);
	return ret;
}

/* Meet p for the first time: a new node, opened or unavailable. */
static size_t add_node(struct lineage *lg, const struct walk *w,
		       const struct lineage_pending *p)
{
	struct strbuf err = STRBUF_INIT;
	struct json *meta = NULL;
	struct lineage_node *n;

	if (open_parent(lg, w, p, &meta, &err) < 0)
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

/* Queue the parents of node n, met on line p, the first on top. */
static void push_parents(struct lineage *lg, size_t n,
			 const struct lineage_pending *p)
{
	const struct json *arr = lineage_node_parents(&lg->nodes[n]);
	struct lineage_pending *c;
	const struct json *rec;
	size_t i;

	for (i = arr ? arr->u.arr.nr : 0; i > 0; i--) {
		rec = arr->u.arr.v[i - 1];
		ALLOC_GROW(lg->stack, lg->depth + 1, lg->stack_alloc);
		c = &lg->stack[lg->depth++];
		c->name = xstrdup_or_null(json_string_of(rec, "name"));
		c->registry = xstrdup_or_null(json_string_of(rec, "registry"));
		c->top = xstrdup_or_null(json_string_of(rec, "top_hash"));
		c->label = xstrdup(c->name ? c->name : "?");
		c->depth = p->depth + 1;
		c->last = i == arr->u.arr.nr;
	}
}

static int emit(const struct walk *w, const struct lineage_pending *p,
		const struct lineage_node *n, int seen)
{
	struct lineage_line line;

	if (!w->fn)
		return 0;
	line.label = p->label;
	line.top = p->top;
	line.depth = p->depth;
	line.last = p->last;
	line.node = n;
	line.seen = seen;
	return w->fn(&line, w->payload);
}

/*
 * Depth first from the root (node 0, opened already), parents in their
 * order: each version in full once, then as seen.
 */
static int walk(struct lineage *lg, const struct walk *w,
		const struct lineage_pending *root)
{
	struct lineage_pending p;
	size_t max = w->opts ? w->opts->max_nodes : 0;
	long seen;
	size_t n;
	int ret = emit(w, root, &lg->nodes[0], 0);

	if (!ret)
		push_parents(lg, 0, root);
	while (!ret && lg->depth) {
		seen = find_node(lg, lg->stack[lg->depth - 1].registry,
				 lg->stack[lg->depth - 1].top);
		if (seen < 0 && max && lg->nr >= max) {
			lg->truncated = 1;
			break;
		}
		p = lg->stack[--lg->depth];
		if (seen >= 0) {
			ret = emit(w, &p, &lg->nodes[seen], 1);
		} else {
			n = add_node(lg, w, &p);
			ret = emit(w, &p, &lg->nodes[n], 0);
			if (!ret)
				push_parents(lg, n, &p);
		}
		pending_release(&p);
	}
	return ret;
}

/* the root */

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
static int root_place(struct workspace *ws, const char *reg_arg,
		      const char *rev, struct lineage_pending *p,
		      struct strbuf *err)
{
	struct package_rev prev;
	struct registry *reg;
	const char *name;
	int ret;

	if (!package_rev_like(rev)) {
		name = ws ? workspace_package_name(ws) : NULL;
		p->name = xstrdup_or_null(name);
		p->label = xstrdup(name ? name : is_hex(rev) ? "workspace" :
				   rev);
		return 0;
	}
	if (package_rev_parse(&prev, rev, err) < 0)
		return QERR_USAGE;
	ret = porcelain_registry(ws, reg_arg, 0, &reg, err);
	if (!ret) {
		p->name = xstrdup(prev.name);
		p->label = xstrdup(prev.name);
		p->registry = xstrdup(registry_url(reg));
		registry_free(reg);
	}
	package_rev_release(&prev);
	return ret;
}

/* Open the revision asked for as node 0; it must be there. */
static int open_root(struct lineage *lg, struct workspace *ws,
		     const char *reg_arg, const char *rev,
		     struct lineage_pending *p, struct strbuf *err)
{
	struct lineage_node *n;
	struct object_id top;
	struct json *meta;
	int ret = root_place(ws, reg_arg, rev, p, err);

	if (!ret)
		ret = porcelain_version_meta(ws, reg_arg, rev, &top, &meta,
					     err);
	if (ret)
		return ret;
	p->top = xstrdup(oid_to_hex(&top));
	p->last = 1;
	ALLOC_GROW(lg->nodes, lg->nr + 1, lg->alloc);
	n = &lg->nodes[lg->nr++];
	memset(n, 0, sizeof(*n));
	n->meta = meta;
	n->name = xstrdup_or_null(p->name);
	n->registry = xstrdup_or_null(p->registry);
	n->top = xstrdup(p->top);
	return 0;
}

int lineage_walk(struct lineage *lg, struct workspace *ws,
		 const char *registry_arg, const char *rev,
		 const struct lineage_opts *opts, lineage_line_fn *fn,
		 void *payload, struct strbuf *err)
{
	struct walk w = { ws, opts, fn, payload };
	struct lineage_pending root = { 0 };
	char *reg_own = NULL, *rev_own = NULL;
	int ret = 0;

	memset(lg, 0, sizeof(*lg));
	/*
	 * A revision that names its registry (see --parent of
	 * quire-commit(1)) is split; a plain one is left alone.
	 */
	if (rev_url_has_registry(rev)) {
		ret = provenance_parent_parse(rev, &reg_own, &rev_own, err);
		if (!ret && registry_arg && reg_own) {
			strbuf_addf(err, "'%s' names its registry; leave out "
				    "--registry", rev);
			ret = QERR_USAGE;
		}
		if (reg_own)
			registry_arg = reg_own;
		rev = rev_own;
	}
	if (!ret)
		ret = open_root(lg, ws, registry_arg, rev, &root, err);
	if (!ret)
		ret = walk(lg, &w, &root);
	pending_release(&root);
	free(reg_own);
	free(rev_own);
	return ret;
}

/* json */

/*
 * The string s (len bytes) as it shows in the printed document, where
 * every URL's credentials are redacted by redact_text() (which ends a
 * URL at a '\' or '"', so a string's escapes count): its literal,
 * redacted and read back.
 */
static void redact_string(char **s, size_t *len)
{
	struct strbuf lit = STRBUF_INIT, shown = STRBUF_INIT;
	struct strbuf ignored = STRBUF_INIT;
	struct json *j = NULL;

	if (!memmem(*s, *len, "://", 3))
		return;
	json_write_string_python(&lit, *s, *len);
	redact_text(&shown, lit.buf);
	if (strcmp(lit.buf, shown.buf)) {
		free(*s);
		/* the redaction keeps the literal whole; if not, hide it all */
		if (!json_parse(shown.buf, shown.len, &j, &ignored) &&
		    j->type == JSON_STRING) {
			*len = j->u.str.len;
			*s = xmemdupz(j->u.str.s, *len);
		} else {
			*s = xstrdup("<redacted>");
			*len = strlen(*s);
		}
	}
	json_free(j);
	strbuf_release(&lit);
	strbuf_release(&shown);
	strbuf_release(&ignored);
}

/*
 * Redact every string and member name of j in place, as passing its
 * json_write_python() text through redact_text() would (a record may hold
 * a URL anywhere, with credentials).
 */
static void redact_tree(struct json *j)
{
	size_t i;

	switch (j->type) {
	case JSON_STRING:
		redact_string(&j->u.str.s, &j->u.str.len);
		break;
	case JSON_ARRAY:
		for (i = 0; i < j->u.arr.nr; i++)
			redact_tree(j->u.arr.v[i]);
		break;
	case JSON_OBJECT:
		for (i = 0; i < j->u.obj.nr; i++) {
			redact_string(&j->u.obj.m[i].key,
				      &j->u.obj.m[i].key_len);
			redact_tree(j->u.obj.m[i].value);
		}
		break;
	default:
		break;
	}
}

static struct json *node_json(const struct lineage_node *n)
{
	struct json *o = json_new_object(), *parents = json_new_array();
	const struct json *arr = lineage_node_parents(n);
	const struct json *prov = lineage_node_provenance(n);
	size_t i;

	json_set(o, "top_hash", json_str(n->top));
	json_set(o, "name", json_str(n->name));
	json_set(o, "registry", json_str(n->registry));
	json_set(o, "message", json_str(lineage_node_message(n)));
	if (prov)
		json_set(o, "provenance", json_dup(prov));
	for (i = 0; arr && i < arr->u.arr.nr; i++)
		json_array_append(parents,
				  json_str(json_string_of(arr->u.arr.v[i],
						      "top_hash")));
	json_set(o, "parents", parents);
	if (n->error)
		json_set(o, "error", json_str(n->error));
	return o;
}

struct json *lineage_to_json(const struct lineage *lg)
{
	struct json *doc = json_new_object(), *nodes = json_new_array();
	size_t i;

	json_set(doc, "root", json_str(lg->nr ? lg->nodes[0].top : NULL));
	for (i = 0; i < lg->nr; i++)
		json_array_append(nodes, node_json(&lg->nodes[i]));
	json_set(doc, "nodes", nodes);
	redact_tree(doc);
	return doc;
}

int lineage_json(struct workspace *ws, const char *registry_arg,
		 const char *rev, const struct lineage_opts *opts,
		 struct json **out, struct strbuf *err)
{
	struct lineage lg;
	int ret = lineage_walk(&lg, ws, registry_arg, rev, opts, NULL, NULL,
			       err);

	*out = ret ? NULL : lineage_to_json(&lg);
	lineage_release(&lg);
	return ret;
}
