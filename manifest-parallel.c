#include "quire-compat.h"
#include "manifest-internal.h"
#include "thread-pool.h"

/*
 * The manifest pipe: the calling thread reads chunks of whole lines,
 * the thread pool parses them, and the calling thread hands out what
 * they hold in file order. Chunks live in a ring: the one being handed
 * out, and the ones read after it (queued or parsed), at most nchunks
 * in all; a chunk is read again only once it has been handed out, so
 * memory stays bounded whatever the size of the manifest.
 *
 * A task stops at the first line it cannot take and keeps the reason;
 * lines are numbered only when handed out, from the count of lines in
 * the chunks before, so a task needs to know nothing of its neighbours.
 */

/* Bytes read per chunk; QUIRE_TEST_MANIFEST_CHUNK changes it in tests. */
#define CHUNK_RECORDS ((size_t)1 << 20)
#define CHUNK_ENTRIES ((size_t)256 << 10)

struct chunk {
	struct manifest_pipe *pipe;
	struct tp_group group;	/* its parsing task, while one is queued */
	struct strbuf in;	/* whole lines; the last one may lack '\n' */
	int read_errno;		/* reading failed after these lines */

	/* what the task found */
	size_t nlines;		/* lines parsed, from the first */
	int ret;		/* then line nlines + 1 failed: QERR_CORRUPT */
	struct strbuf why;
	struct json_arena *arena;

	/* MANIFEST_PIPE_ENTRIES */
	struct manifest_entry *e;
	size_t e_init, e_alloc;	/* entries initialized, allocated */

	/* MANIFEST_PIPE_RECORDS and _LINES: text holds key, line, canon */
	struct manifest_entry scratch;
	struct manifest_record *rec;
	size_t *off;		/* 3 per record: offsets of key, line, canon */
	size_t rec_alloc, off_alloc;
	struct strbuf text;
};

struct manifest_pipe {
	struct manifest_reader *r;
	enum manifest_pipe_kind kind;
	unsigned need;
	size_t chunk_size;
	int cancel;		/* stopping: tasks not yet begun do nothing */

	struct chunk *chunks;
	size_t nchunks;
	size_t read_seq;	/* the next chunk to read */
	size_t use_seq;		/* the chunk being handed out */
	struct strbuf carry;	/* the start of a line the last read cut */
	int read_done;		/* end of file, or reading failed */

	struct chunk *cur;	/* chunks[use_seq % nchunks], once parsed */
	size_t cur_i;		/* next line of cur to hand out */
	size_t line_base;	/* lines in the chunks before cur */
	int ret;		/* sticky: 0 or the error handed out */
	int ended;
};

static struct chunk *slot(struct manifest_pipe *p, size_t seq)
{
	return &p->chunks[seq % p->nchunks];
}

static size_t chunk_size(enum manifest_pipe_kind kind)
{
	const char *env = getenv("QUIRE_TEST_MANIFEST_CHUNK");
	uint64_t n;

	if (env && !parse_u64(env, &n) && n > 0 && n < ((uint64_t)1 << 30))
		return n;
	return kind == MANIFEST_PIPE_ENTRIES ? CHUNK_ENTRIES : CHUNK_RECORDS;
}

/*
 * Fill c with whole lines: the start of a line the last read left, then
 * more. At the end of the file everything left is c's, and the last line
 * may lack its newline. A line that grows past MANIFEST_LINE_MAX stops
 * the reading there (the task reports it), so that memory stays bounded.
 */
static void read_chunk(struct manifest_pipe *p, struct chunk *c)
{
	FILE *fp = p->r->fp;
	size_t scanned = 0, want, n;
	const char *nl;

	strbuf_reset(&c->in);
	strbuf_add(&c->in, p->carry.buf, p->carry.len);
	strbuf_reset(&p->carry);
	c->read_errno = 0;
	for (;;) {
		want = c->in.len < p->chunk_size ? p->chunk_size - c->in.len :
		       c->in.len;
		strbuf_grow(&c->in, want);
		n = fread(c->in.buf + c->in.len, 1, want, fp);
		strbuf_setlen(&c->in, c->in.len + n);
		if (n < want && ferror(fp)) {
			c->read_errno = errno ? errno : EIO;
			p->read_done = 1;
			nl = memrchr(c->in.buf, '\n', c->in.len);
			strbuf_setlen(&c->in, nl ? nl + 1 - c->in.buf : 0);
			return;
		}
		if (n < want) {
			p->read_done = 1;	/* end of file: all is ours */
			return;
		}
		nl = memrchr(c->in.buf + scanned, '\n', c->in.len - scanned);
		if (nl) {
			size_t keep = nl + 1 - c->in.buf;

			strbuf_add(&p->carry, nl + 1, c->in.len - keep);
			strbuf_setlen(&c->in, keep);
			return;
		}
		scanned = c->in.len;
		if (c->in.len > MANIFEST_LINE_MAX) {
			p->read_done = 1;	/* a line too long: the end */
			return;
		}
	}
}

static int parse_line(struct manifest_pipe *p, struct chunk *c,
		      const char *line, size_t len, struct manifest_entry *e)
{
	if (len > MANIFEST_LINE_MAX) {
		strbuf_addstr(&c->why, "line is longer than 64 MiB");
		return QERR_CORRUPT;
	}
	if (!len) {
		strbuf_addstr(&c->why, "empty line (a manifest has one JSON "
			      "object per line)");
		return QERR_CORRUPT;
	}
	return manifest_parse_entry_arena(c->arena, line, len, p->r->flags,
					  p->need, e, &c->why);
}

/* The next entry slot of c, made ready on first use. */
static struct manifest_entry *entry_slot(struct chunk *c, size_t i)
{
	ALLOC_GROW(c->e, i + 1, c->e_alloc);
	while (c->e_init <= i)
		manifest_entry_init(&c->e[c->e_init++]);
	return &c->e[i];
}

/* The record of c's entry i from c->scratch; offsets only, for now. */
static void add_record(struct manifest_pipe *p, struct chunk *c, size_t i)
{
	const struct manifest_entry *e = &c->scratch;
	struct manifest_record *rec;
	size_t *off;

	ALLOC_GROW(c->rec, i + 1, c->rec_alloc);
	ALLOC_GROW(c->off, 3 * (i + 1), c->off_alloc);
	rec = &c->rec[i];
	off = &c->off[3 * i];
	rec->is_dir = e->is_dir;
	rec->dir_meta_truthy = e->is_dir && json_truthy(e->meta);
	off[0] = c->text.len;
	strbuf_add(&c->text, e->key.buf, e->key.len);
	rec->key_len = e->key.len;
	off[1] = c->text.len;
	if (p->kind == MANIFEST_PIPE_LINES)
		manifest_format_entry(&c->text, e);
	rec->line_len = c->text.len - off[1];
	off[2] = c->text.len;
	if (!e->is_dir)
		manifest_format_hash_part(&c->text, e);
	rec->canon_len = c->text.len - off[2];
}

/* Does line hold "NaN"? (memmem() is slower at this.) */
static int has_nan(const char *line, size_t len)
{
	const char *end = line + len, *p;

	for (p = memchr(line, 'N', len); p; p = memchr(p + 1, 'N', end - p - 1))
		if (end - p >= 3 && p[1] == 'a' && p[2] == 'N')
			return 1;
	return 0;
}

/* The task: parse the lines of a chunk until one fails. */
static void parse_chunk(void *arg)
{
	struct chunk *c = arg;
	struct manifest_pipe *p = c->pipe;
	const char *s = c->in.buf, *end = s + c->in.len, *nl;
	size_t i;

	c->nlines = 0;
	c->ret = 0;
	strbuf_reset(&c->why);
	strbuf_reset(&c->text);
	json_arena_clear(c->arena);
	if (__atomic_load_n(&p->cancel, __ATOMIC_ACQUIRE))
		return;
	while (s < end) {
		struct manifest_entry *e;

		nl = memchr(s, '\n', end - s);
		if (!nl)
			nl = end;
		if (p->kind == MANIFEST_PIPE_ENTRIES) {
			e = entry_slot(c, c->nlines);
		} else {
			e = &c->scratch;
			json_arena_clear(c->arena);
		}
		c->ret = parse_line(p, c, s, nl - s, e);
		if (c->ret)
			break;
		if (!has_nan(s, nl - s)) {
			e->line = s;
			e->line_len = nl - s;
		}
		if (p->kind != MANIFEST_PIPE_ENTRIES)
			add_record(p, c, c->nlines);
		c->nlines++;
		s = nl < end ? nl + 1 : end;
	}
	if (p->kind == MANIFEST_PIPE_ENTRIES)
		return;
	for (i = 0; i < c->nlines; i++) {
		struct manifest_record *rec = &c->rec[i];

		rec->key = c->text.buf + c->off[3 * i];
		rec->line = c->text.buf + c->off[3 * i + 1];
		rec->canon = c->text.buf + c->off[3 * i + 2];
	}
}

/* Read and queue chunks while there is room in the ring. */
static void fill(struct manifest_pipe *p)
{
	while (!p->read_done && p->read_seq < p->use_seq + p->nchunks) {
		struct chunk *c = slot(p, p->read_seq++);

		read_chunk(p, c);
		tp_submit(&c->group, parse_chunk, c);
	}
}

/*
 * Done with the current chunk (report what ended it, if anything), on
 * to the next: 1, 0 at the end, or a negative qerr.
 */
static int advance(struct manifest_pipe *p, struct strbuf *err)
{
	struct chunk *c = p->cur;

	if (p->ret || p->ended)
		return p->ret;
	if (c) {
		if (c->ret) {
			p->r->line_nr = p->line_base + c->nlines + 1;
			strbuf_addf(err, "%s:%zu: %s", p->r->name,
				    p->r->line_nr, c->why.buf);
			return p->ret = c->ret;
		}
		if (c->read_errno) {
			strbuf_addf(err, "cannot read '%s': %s", p->r->name,
				    strerror(c->read_errno));
			return p->ret = QERR_GENERIC;
		}
		p->line_base += c->nlines;
		p->cur = NULL;
		p->use_seq++;
	}
	fill(p);
	if (p->use_seq == p->read_seq) {
		p->ended = 1;
		return 0;
	}
	c = slot(p, p->use_seq);
	tp_wait(&c->group);
	p->cur = c;
	p->cur_i = 0;
	return 1;
}

struct manifest_pipe *manifest_pipe_start(struct manifest_reader *r,
					  enum manifest_pipe_kind kind)
{
	struct manifest_pipe *p = xcalloc(1, sizeof(*p));
	int threads = tp_threads();
	size_t i;

	if (threads > 16)
		threads = 16;	/* more would only hold more memory */
	p->r = r;
	p->kind = kind;
	p->need = kind == MANIFEST_PIPE_ENTRIES ? MANIFEST_NEED_ALL :
		  kind == MANIFEST_PIPE_LINES ? MANIFEST_NEED_PHYSICAL : 0;
	p->chunk_size = chunk_size(kind);
	p->line_base = r->line_nr;
	strbuf_init(&p->carry, 0);
	p->nchunks = 2 * threads + 2;
	p->chunks = xcalloc(p->nchunks, sizeof(*p->chunks));
	for (i = 0; i < p->nchunks; i++) {
		struct chunk *c = &p->chunks[i];

		c->pipe = p;
		strbuf_init(&c->in, 0);
		strbuf_init(&c->why, 0);
		strbuf_init(&c->text, 0);
		c->arena = json_arena_new();
		manifest_entry_init(&c->scratch);
	}
	return p;
}

int manifest_pipe_next_entry(struct manifest_pipe *p,
			     const struct manifest_entry **out,
			     struct strbuf *err)
{
	int ret;

	if (p->kind != MANIFEST_PIPE_ENTRIES)
		BUG("manifest_pipe_next_entry() on a pipe of records");
	for (;;) {
		struct chunk *c = p->cur;

		if (c && p->cur_i < c->nlines) {
			struct manifest_entry *e = &c->e[p->cur_i++];

			e->line_nr = p->line_base + p->cur_i;
			p->r->line_nr = e->line_nr;
			*out = e;
			return 1;
		}
		ret = advance(p, err);
		if (ret <= 0)
			return ret;
	}
}

int manifest_pipe_next_record(struct manifest_pipe *p,
			      const struct manifest_record **out,
			      struct strbuf *err)
{
	int ret;

	if (p->kind == MANIFEST_PIPE_ENTRIES)
		BUG("manifest_pipe_next_record() on a pipe of entries");
	for (;;) {
		struct chunk *c = p->cur;

		if (c && p->cur_i < c->nlines) {
			struct manifest_record *rec = &c->rec[p->cur_i++];

			rec->line_nr = p->line_base + p->cur_i;
			p->r->line_nr = rec->line_nr;
			*out = rec;
			return 1;
		}
		ret = advance(p, err);
		if (ret <= 0)
			return ret;
	}
}

void manifest_pipe_stop(struct manifest_pipe *p)
{
	size_t seq, i;

	if (!p)
		return;
	__atomic_store_n(&p->cancel, 1, __ATOMIC_RELEASE);
	for (seq = p->use_seq; seq < p->read_seq; seq++)
		tp_wait(&slot(p, seq)->group);
	for (i = 0; i < p->nchunks; i++) {
		struct chunk *c = &p->chunks[i];
		size_t k;

		strbuf_release(&c->in);
		strbuf_release(&c->why);
		strbuf_release(&c->text);
		json_arena_free(c->arena);
		for (k = 0; k < c->e_init; k++) {
			c->e[k].hash = c->e[k].meta = NULL;	/* borrowed */
			manifest_entry_release(&c->e[k]);
		}
		free(c->e);
		c->scratch.hash = c->scratch.meta = NULL;
		manifest_entry_release(&c->scratch);
		free(c->rec);
		free(c->off);
	}
	free(p->chunks);
	strbuf_release(&p->carry);
	free(p);
}
