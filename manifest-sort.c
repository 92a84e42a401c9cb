#include "quire-compat.h"
#include "manifest-internal.h"
#include "tempfile.h"

/*
 * External merge sort of manifest records. Records are packed into one
 * arena per run; a full run is sorted and written to a temporary file in
 * a small binary framing; finish merges the runs (ties go to the earlier
 * run, so the sort is stable).
 */

struct srec {
	size_t off;		/* into the arena: key, line, canon */
	size_t line_nr;
	uint32_t key_len, line_len, canon_len;
	unsigned char is_dir, truthy;
	size_t seq;
};

struct run {
	struct tempfile *tmp;
	FILE *fp;
	struct strbuf data;
	struct manifest_record rec;
	int done;
};

struct manifest_sorter {
	char *tmpdir;
	size_t mem_limit;
	struct strbuf arena;
	struct srec *recs;
	size_t nr, alloc;
	size_t seq;
	struct run *runs;
	size_t nr_runs, alloc_runs;
};

size_t manifest_sort_memory(void)
{
	const char *env = getenv("QUIRE_SORT_MEMORY");
	uint64_t mib;

	if (env && !parse_u64(env, &mib) && mib > 0 && mib < (1u << 20))
		return (size_t)mib << 20;
	return (size_t)256 << 20;
}

struct manifest_sorter *manifest_sorter_new(const char *tmpdir,
					    size_t mem_limit)
{
	struct manifest_sorter *s = xcalloc(1, sizeof(*s));

	s->tmpdir = xstrdup(tmpdir);
	s->mem_limit = mem_limit;
	strbuf_init(&s->arena, 0);
	return s;
}

static void srec_to_record(const struct manifest_sorter *s,
			   const struct srec *r, struct manifest_record *out)
{
	const char *p = s->arena.buf + r->off;

	out->is_dir = r->is_dir;
	out->dir_meta_truthy = r->truthy;
	out->line_nr = r->line_nr;
	out->key = p;
	out->key_len = r->key_len;
	out->line = p + r->key_len;
	out->line_len = r->line_len;
	out->canon = p + r->key_len + r->line_len;
	out->canon_len = r->canon_len;
}

static const struct manifest_sorter *sorting;

static int srec_cmp(const void *va, const void *vb)
{
	const struct srec *a = va, *b = vb;
	struct manifest_record ra, rb;
	int c;

	srec_to_record(sorting, a, &ra);
	srec_to_record(sorting, b, &rb);
	c = manifest_record_cmp(&ra, &rb);
	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void sort_recs(struct manifest_sorter *s)
{
	if (s->nr < 2)
		return;
	sorting = s;
	qsort(s->recs, s->nr, sizeof(*s->recs), srec_cmp);
	sorting = NULL;
}

static int put_u64(FILE *fp, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = v >> (8 * i);
	return fwrite(b, 1, 8, fp) == 8 ? 0 : -1;
}

static int get_u64(FILE *fp, uint64_t *v)
{
	unsigned char b[8];
	int i;

	if (fread(b, 1, 8, fp) != 8)
		return -1;
	*v = 0;
	for (i = 0; i < 8; i++)
		*v |= (uint64_t)b[i] << (8 * i);
	return 0;
}

static int spill(struct manifest_sorter *s, struct strbuf *err)
{
	struct run *run;
	size_t i;
	int fd;

	sort_recs(s);
	ALLOC_GROW(s->runs, s->nr_runs + 1, s->alloc_runs);
	run = &s->runs[s->nr_runs++];
	memset(run, 0, sizeof(*run));
	strbuf_init(&run->data, 0);
	run->tmp = create_tempfile_in(s->tmpdir, "sort_", 0600, err);
	if (!run->tmp)
		return QERR_GENERIC;
	fd = dup(run->tmp->fd);
	run->fp = fd < 0 ? NULL : fdopen(fd, "w+");
	if (!run->fp) {
		strbuf_addf(err, "cannot open a sort file: %s",
			    strerror(errno));
		return QERR_GENERIC;
	}
	for (i = 0; i < s->nr; i++) {
		const struct srec *r = &s->recs[i];
		size_t len = (size_t)r->key_len + r->line_len + r->canon_len;
		unsigned char flags = r->is_dir | (r->truthy << 1);

		if (fwrite(&flags, 1, 1, run->fp) != 1 ||
		    put_u64(run->fp, r->line_nr) ||
		    put_u64(run->fp, r->key_len) ||
		    put_u64(run->fp, r->line_len) ||
		    put_u64(run->fp, r->canon_len) ||
		    fwrite(s->arena.buf + r->off, 1, len, run->fp) != len)
			break;
	}
	if (i < s->nr || fflush(run->fp) || fseeko(run->fp, 0, SEEK_SET)) {
		strbuf_addf(err, "cannot write a sort file in '%s': %s",
			    s->tmpdir, strerror(errno));
		return QERR_GENERIC;
	}
	s->nr = 0;
	strbuf_reset(&s->arena);
	return 0;
}

int manifest_sorter_add(struct manifest_sorter *s,
			const struct manifest_record *rec, struct strbuf *err)
{
	struct srec *r;

	if (rec->key_len > UINT32_MAX || rec->line_len > UINT32_MAX ||
	    rec->canon_len > UINT32_MAX)
		BUG("manifest record too large");
	if (s->nr && s->arena.len + s->nr * sizeof(struct srec) >=
	    s->mem_limit) {
		int ret = spill(s, err);

		if (ret)
			return ret;
	}
	ALLOC_GROW(s->recs, s->nr + 1, s->alloc);
	r = &s->recs[s->nr++];
	r->off = s->arena.len;
	r->line_nr = rec->line_nr;
	r->key_len = rec->key_len;
	r->line_len = rec->line_len;
	r->canon_len = rec->canon_len;
	r->is_dir = rec->is_dir;
	r->truthy = rec->dir_meta_truthy;
	r->seq = s->seq++;
	strbuf_add(&s->arena, rec->key, rec->key_len);
	strbuf_add(&s->arena, rec->line, rec->line_len);
	strbuf_add(&s->arena, rec->canon, rec->canon_len);
	return 0;
}

/* Load the next record of a run; 0, or 1 at its end, or -1 on error. */
static int run_next(struct run *run)
{
	uint64_t line_nr, klen, llen, clen;
	int flags = getc(run->fp);
	size_t len;

	if (flags == EOF) {
		run->done = 1;
		return ferror(run->fp) ? -1 : 1;
	}
	if (get_u64(run->fp, &line_nr) || get_u64(run->fp, &klen) ||
	    get_u64(run->fp, &llen) || get_u64(run->fp, &clen))
		return -1;
	len = st_add(st_add(klen, llen), clen);
	strbuf_reset(&run->data);
	strbuf_grow(&run->data, len);
	if (fread(run->data.buf, 1, len, run->fp) != len)
		return -1;
	strbuf_setlen(&run->data, len);
	run->rec.is_dir = flags & 1;
	run->rec.dir_meta_truthy = (flags >> 1) & 1;
	run->rec.line_nr = line_nr;
	run->rec.key = run->data.buf;
	run->rec.key_len = klen;
	run->rec.line = run->data.buf + klen;
	run->rec.line_len = llen;
	run->rec.canon = run->data.buf + klen + llen;
	run->rec.canon_len = clen;
	return 0;
}

static int merge_runs(struct manifest_sorter *s, manifest_record_fn *fn,
		      void *payload, struct strbuf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < s->nr_runs; i++) {
		if (run_next(&s->runs[i]) < 0)
			goto read_error;
	}
	for (;;) {
		struct run *best = NULL;

		/* few runs (size / mem_limit): a linear scan is enough */
		for (i = 0; i < s->nr_runs; i++) {
			struct run *r = &s->runs[i];

			if (r->done)
				continue;
			if (!best || manifest_record_cmp(&r->rec,
							 &best->rec) < 0)
				best = r;
		}
		if (!best)
			return 0;
		ret = fn(&best->rec, payload);
		if (ret)
			return ret;
		if (run_next(best) < 0)
			goto read_error;
	}
read_error:
	strbuf_addf(err, "cannot read back a sort file in '%s'", s->tmpdir);
	return QERR_GENERIC;
}

int manifest_sorter_finish(struct manifest_sorter *s, manifest_record_fn *fn,
			   void *payload, struct strbuf *err)
{
	size_t i;
	int ret;

	if (!s->nr_runs) {
		sort_recs(s);
		for (i = 0; i < s->nr; i++) {
			struct manifest_record rec;

			srec_to_record(s, &s->recs[i], &rec);
			ret = fn(&rec, payload);
			if (ret)
				return ret;
		}
		return 0;
	}
	if (s->nr) {
		ret = spill(s, err);
		if (ret)
			return ret;
	}
	free(s->recs);
	s->recs = NULL;
	s->alloc = 0;
	strbuf_release(&s->arena);
	return merge_runs(s, fn, payload, err);
}

void manifest_sorter_free(struct manifest_sorter *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr_runs; i++) {
		if (s->runs[i].fp)
			fclose(s->runs[i].fp);
		delete_tempfile(&s->runs[i].tmp);
		strbuf_release(&s->runs[i].data);
	}
	free(s->runs);
	free(s->recs);
	strbuf_release(&s->arena);
	free(s->tmpdir);
	free(s);
}

/* manifest_load */

struct load_state {
	struct manifest_builder *b;
	struct strbuf *err;
};

static int add_to_builder(const struct manifest_record *rec, void *payload)
{
	struct load_state *ls = payload;
	int ret = manifest_builder_add(ls->b, rec, ls->err);

	if (ret == MANIFEST_OUT_OF_ORDER)
		BUG("sorter gave records out of order");
	return ret;
}

/*
 * The records of r's entries, parsed on every core (manifest-parallel.c),
 * to the sorter or the builder: 0, MANIFEST_OUT_OF_ORDER (streaming) or
 * a negative qerr.
 */
static int load_records(struct manifest_reader *r,
			const struct manifest_load_opts *opts,
			struct manifest_builder *b, int sorted,
			struct strbuf *err)
{
	struct manifest_pipe *p = manifest_pipe_start(r, opts->out >= 0 ?
						      MANIFEST_PIPE_LINES :
						      MANIFEST_PIPE_RECORDS);
	struct manifest_sorter *s = NULL;
	const struct manifest_record *rec;
	struct load_state ls = { b, err };
	int ret;

	if (sorted)
		s = manifest_sorter_new(opts->tmpdir, manifest_sort_memory());
	while ((ret = manifest_pipe_next_record(p, &rec, err)) > 0) {
		ret = s ? manifest_sorter_add(s, rec, err) :
		      manifest_builder_add(b, rec, err);
		if (ret)
			break;
	}
	manifest_pipe_stop(p);
	if (!ret && s)
		ret = manifest_sorter_finish(s, add_to_builder, &ls, err);
	manifest_sorter_free(s);
	return ret;
}

static int restart(FILE *fp, const struct manifest_load_opts *opts,
		   struct strbuf *err)
{
	if (fseeko(fp, 0, SEEK_SET) < 0 ||
	    (opts->out >= 0 && (ftruncate(opts->out, 0) < 0 ||
				lseek(opts->out, 0, SEEK_SET) < 0))) {
		strbuf_addf(err, "cannot rewind '%s' to sort it: %s",
			    opts->name, strerror(errno));
		return QERR_GENERIC;
	}
	return 0;
}

int manifest_load(FILE *fp, const struct manifest_load_opts *opts,
		  struct object_id *top_hash, unsigned char *bytes_sha256,
		  uint64_t *entries, struct strbuf *err)
{
	struct manifest_reader r;
	struct manifest_builder b;
	int ret, sorted = !opts->seekable;

again:
	ret = manifest_reader_open(&r, fp, opts->name, opts->read_flags, err);
	if (ret < 0) {
		manifest_reader_release(&r);
		return ret;
	}
	manifest_builder_init(&b, r.meta, opts->out);
	b.name = opts->name;
	ret = load_records(&r, opts, &b, sorted, err);
	if (ret == MANIFEST_OUT_OF_ORDER) {
		manifest_builder_release(&b);
		manifest_reader_release(&r);
		ret = restart(fp, opts, err);
		if (ret)
			return ret;
		sorted = 1;
		goto again;
	}
	if (!ret)
		ret = manifest_builder_finish(&b, top_hash, bytes_sha256, err);
	if (!ret && entries)
		*entries = b.entries;
	manifest_builder_release(&b);
	manifest_reader_release(&r);
	return ret;
}
