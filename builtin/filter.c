#include "builtin.h"
#include "diff.h"
#include "logical-key.h"
#include "manifest.h"
#include "parse-options.h"
#include "porcelain.h"
#include "registry.h"
#include "tempfile.h"

static const char * const filter_usage[] = {
	"quire filter [<options>] -o <namespace>/<name> <revision>",
	NULL
};

struct pick {
	struct strbuf key, line, canon;
};

struct filter {
	const char *prefix;
	const char **meta;	/* "KEY=VALUE" */
	int nmeta;
	unsigned long sample;
	uint64_t seed, seen;
	struct pick *picks;
	size_t cap;		/* slots allocated in picks */
	struct manifest_builder b;
	struct strbuf err;
};

static int meta_cb(const struct option *opt, const char *arg)
{
	struct filter *f = opt->value;

	if (!arg || !strchr(arg, '='))
		return error("--meta takes KEY=VALUE, not '%s'",
			     arg ? arg : "");
	f->meta = xrealloc(f->meta, (f->nmeta + 1) * sizeof(*f->meta));
	f->meta[f->nmeta++] = arg;
	return 0;
}

static uint64_t next_random(struct filter *f)
{
	/* splitmix64: the same seed gives the same sample */
	uint64_t z = (f->seed += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* user_meta[KEY] equals VALUE (as JSON, or as a plain string). */
static int meta_matches(const struct json *meta, const char *spec)
{
	const char *eq = strchr(spec, '=');
	const struct json *um = json_object_get(meta, "user_meta"), *v;
	struct json *want = NULL;
	struct strbuf err = STRBUF_INIT;
	int ok;

	v = um ? json_object_getn(um, spec, eq - spec) : NULL;
	if (!v)
		return 0;
	if (json_parse(eq + 1, strlen(eq + 1), &want, &err) < 0)
		want = json_new_string(eq + 1, strlen(eq + 1));
	ok = json_equal(v, want);
	json_free(want);
	strbuf_release(&err);
	return ok;
}

static int selected(struct filter *f, const struct manifest_entry *e)
{
	int i;

	if (f->prefix && !logical_key_has_prefix(e->key.buf, e->key.len,
						 f->prefix, strlen(f->prefix)))
		return 0;
	for (i = 0; i < f->nmeta; i++)
		if (!meta_matches(e->meta, f->meta[i]))
			return 0;
	return 1;
}

static void keep(struct pick *p, const struct manifest_record *rec)
{
	strbuf_reset(&p->key);
	strbuf_reset(&p->line);
	strbuf_reset(&p->canon);
	strbuf_add(&p->key, rec->key, rec->key_len);
	strbuf_add(&p->line, rec->line, rec->line_len);
	strbuf_add(&p->canon, rec->canon, rec->canon_len);
}

static int cmp_pick(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return logical_key_cmp(x->key.buf, x->key.len, y->key.buf,
			       y->key.len);
}

int cmd_filter(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	struct filter f;
	struct strbuf line = STRBUF_INIT, canon = STRBUF_INIT;
	struct entry_stream *s;
	struct manifest_entry e;
	struct manifest_record rec;
	struct registry *reg;
	struct tempfile *tmp;
	struct object_id src, top, latest, actual;
	struct json *meta;
	struct progress *progress;
	const char *out = NULL, *reg_arg = NULL, *msg = NULL;
	unsigned long seed = 0;
	size_t i, kept;
	int force = 0, ret, have_latest;
	FILE *fp;
	struct option options[] = {
		OPT_STRING('o', "output", &out, "ns/name",
			   "the name of the new package"),
		OPT_STRING(0, "prefix", &f.prefix, "prefix",
			   "only entries below this logical prefix"),
		OPT_CALLBACK(0, "meta", &f, "key=value",
			     "only entries whose user_meta[key] is value",
			     meta_cb),
		OPT_ULONG(0, "sample", &f.sample, "n",
			  "a sample of n entries, the same for the same seed"),
		OPT_ULONG(0, "seed", &seed, "s", "the sample's seed (0)"),
		OPT_STRING('m', "message", &msg, "message",
			   "the new package's message"),
		OPT__REGISTRY(&reg_arg),
		OPT_BOOL(0, "force", &force,
			 "replace the latest version of the output package"),
		OPT__PROGRESS(),
		OPT_END()
	};

	memset(&f, 0, sizeof(f));
	strbuf_init(&f.err, 0);
	argc = parse_options(argc, argv, prefix, options, filter_usage, 0);
	if (argc != 1 || !out)
		usage_with_options(filter_usage, options);
	if (package_name_check(out, &f.err) < 0)
		die("%s", f.err.buf);
	f.seed = seed;
	if (porcelain_open_stream(ws, reg_arg, argv[0], &src, &fp, &s,
				  &f.err) < 0)
		die("%s", f.err.buf);
	/* the source's metadata, with a message of its own */
	meta = json_dup(s->meta);
	json_object_set(meta, "message", 7, json_new_string(msg ? msg :
			argv[0], strlen(msg ? msg : argv[0])));
	if (porcelain_registry(ws, reg_arg, TRANSPORT_CREATE, &reg,
			       &f.err) < 0)
		die("%s", f.err.buf);
	tmp = create_tempfile_in(getenv("TMPDIR") && *getenv("TMPDIR") ?
				 getenv("TMPDIR") : "/tmp", "quire-filter-",
				 0600, &f.err);
	if (!tmp)
		die("%s", f.err.buf);
	manifest_builder_init(&f.b, meta, tmp->fd);
	/* slots grow with the entries seen, up to the sample's size */
	manifest_entry_init(&e);
	progress = progress_start("Filtering entries", 0, 0);
	while ((ret = s->next(s, &e, &f.err)) > 0) {
		progress_add(progress, 1, 0);
		if (!selected(&f, &e))
			continue;
		manifest_record_from_entry(&rec, &e, &line, &canon);
		f.seen++;
		if (!f.sample) {
			if (manifest_builder_add(&f.b, &rec, &f.err) < 0)
				die("%s", f.err.buf);
		} else if (f.seen <= f.sample) {
			if (f.seen > f.cap) {
				size_t n = f.cap ? f.cap * 2 : 64;

				if (n > f.sample)
					n = f.sample;
				f.picks = xrealloc(f.picks, st_mult(n,
						   sizeof(*f.picks)));
				memset(f.picks + f.cap, 0,
				       (n - f.cap) * sizeof(*f.picks));
				f.cap = n;
			}
			keep(&f.picks[f.seen - 1], &rec);
		} else {
			uint64_t j = next_random(&f) % f.seen;

			if (j < f.sample)
				keep(&f.picks[j], &rec);
		}
	}
	progress_stop(&progress);
	if (ret < 0)
		die("%s", f.err.buf);
	kept = f.sample && f.seen > f.sample ? f.sample : f.seen;
	if (f.sample) {
		QSORT(f.picks, kept, cmp_pick);
		for (i = 0; i < kept; i++) {
			memset(&rec, 0, sizeof(rec));
			rec.key = f.picks[i].key.buf;
			rec.key_len = f.picks[i].key.len;
			rec.line = f.picks[i].line.buf;
			rec.line_len = f.picks[i].line.len;
			rec.canon = f.picks[i].canon.buf;
			rec.canon_len = f.picks[i].canon.len;
			if (manifest_builder_add(&f.b, &rec, &f.err) < 0)
				die("%s", f.err.buf);
		}
	}
	if (manifest_builder_finish(&f.b, &top, NULL, &f.err) < 0 ||
	    registry_put_manifest(reg, &top, tmp->fd, &f.err) < 0)
		die("%s", f.err.buf);
	have_latest = !registry_read_latest(reg, out, &latest, &f.err);
	if (have_latest && !force && !oideq(&latest, &top))
		die("%s already exists in %s (latest %s); pass --force to make "
		    "this its latest", out, registry_url(reg),
		    oid_to_hex(&latest));
	if (!(have_latest && oideq(&latest, &top))) {
		ret = registry_push_version(reg, out, &top, have_latest ?
					    &latest : NULL, force, &actual,
					    &f.err);
		if (ret == QERR_STALE)
			die("'latest' of %s moved to %s meanwhile; run again",
			    out, oid_to_hex(&actual));
		if (ret)
			die("%s", f.err.buf);
	}
	fprintf(stderr, "%s: %zu of %" PRIu64 " matching entr%s from %s\n",
		out, kept, f.seen, f.seen == 1 ? "y" : "ies",
		short_hash(&src));
	printf("%s\n", oid_to_hex(&top));
	for (i = 0; i < f.cap; i++) {
		strbuf_release(&f.picks[i].key);
		strbuf_release(&f.picks[i].line);
		strbuf_release(&f.picks[i].canon);
	}
	free(f.picks);
	free(f.meta);
	manifest_builder_release(&f.b);
	manifest_entry_release(&e);
	entry_stream_free(s);
	fclose(fp);
	delete_tempfile(&tmp);
	json_free(meta);
	registry_free(reg);
	strbuf_release(&line);
	strbuf_release(&canon);
	strbuf_release(&f.err);
	return 0;
}
