#include "quire-compat.h"
#include <pthread.h>
#include <sqlite3.h>
#include "vindex.h"
#include "cache.h"
#include "index-db.h"
#include "error.h"
#include "json.h"
#include "logical-key.h"
#include "manifest.h"
#include "tempfile.h"
#include "wrapper.h"

/*
 * The schema. node: one row per file and folder; "nr" counts a folder's
 * children. info: the version's top hash, package metadata and entry
 * count. user_version tells the layout; an index of another layout is
 * built again.
 */
#define VINDEX_FORMAT 2
static const char schema[] =
	"PRAGMA user_version=2;"
	"CREATE TABLE node(id INTEGER PRIMARY KEY, parent INTEGER NOT NULL,"
	" name TEXT NOT NULL, is_dir INTEGER NOT NULL, size INTEGER NOT NULL,"
	" nr INTEGER NOT NULL, htype INTEGER, hash BLOB, physical TEXT,"
	" meta TEXT, files INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE info(k TEXT PRIMARY KEY, v);";
static const char index_sql[] =
	"CREATE UNIQUE INDEX node_name ON node(parent, name)";

#define NODE_COLS "id, parent, name, is_dir, size, nr, htype, hash, " \
		  "physical, meta, files"
/* The same columns, without what a listing of names does not need. */
#define BRIEF_COLS "id, parent, name, is_dir, size, nr, NULL, NULL, " \
		   "NULL, NULL, files"

enum vx_stmt {
	ST_GET,
	ST_LOOKUP,
	ST_LIST,
	ST_LIST_FILES,
	ST_LIST_BEFORE,
	ST_LIST_BRIEF,
	ST_LIST_BEFORE_BRIEF,
	ST_NR
};

static const char *const stmt_sql[ST_NR] = {
	[ST_GET] = "SELECT " NODE_COLS " FROM node WHERE id = ?1",
	[ST_LOOKUP] = "SELECT " NODE_COLS " FROM node WHERE parent = ?1 "
		      "AND name = ?2",
	[ST_LIST] = "SELECT " NODE_COLS " FROM node WHERE parent = ?1 AND "
		    "name > coalesce((SELECT name FROM node WHERE id = ?2 AND "
		    "parent = ?1), '') ORDER BY name LIMIT ?3",
	[ST_LIST_FILES] = "SELECT " NODE_COLS " FROM node WHERE parent = ?1 "
			  "AND is_dir = 0 AND name > coalesce((SELECT name "
			  "FROM node WHERE id = ?2 AND parent = ?1), '') "
			  "ORDER BY name LIMIT ?3",
	[ST_LIST_BEFORE] = "SELECT " NODE_COLS " FROM node WHERE parent = ?1 "
			   "AND name < (SELECT name FROM node WHERE id = ?2 "
			   "AND parent = ?1) ORDER BY name DESC LIMIT ?3",
	[ST_LIST_BRIEF] = "SELECT " BRIEF_COLS " FROM node WHERE parent = ?1 "
			  "AND name > coalesce((SELECT name FROM node WHERE "
			  "id = ?2 AND parent = ?1), '') ORDER BY name "
			  "LIMIT ?3",
	[ST_LIST_BEFORE_BRIEF] = "SELECT " BRIEF_COLS " FROM node WHERE "
				 "parent = ?1 AND name < (SELECT name FROM "
				 "node WHERE id = ?2 AND parent = ?1) ORDER "
				 "BY name DESC LIMIT ?3",
};

struct vindex {
	sqlite3 *db;
	pthread_mutex_t lock;
	sqlite3_stmt *st[ST_NR];
	struct object_id top;
	char *meta;
	uint64_t entries, max_id;
};

void vnode_init(struct vnode *n)
{
	memset(n, 0, sizeof(*n));
	strbuf_init(&n->name, 0);
	strbuf_init(&n->physical, 0);
	strbuf_init(&n->meta, 0);
}

void vnode_release(struct vnode *n)
{
	strbuf_release(&n->name);
	strbuf_release(&n->physical);
	strbuf_release(&n->meta);
}

void vindex_path(const struct object_id *top, struct strbuf *out)
{
	const char *hex = oid_to_hex(top);

	cache_path(out);
	strbuf_addf(out, "/vindex/%.2s/%s.db", hex, hex + 2);
}

static int sql_error(sqlite3 *db, const char *what, struct strbuf *err)
{
	strbuf_addf(err, "cannot %s the version index: %s", what,
		    db ? sqlite3_errmsg(db) : "out of memory");
	return QERR_GENERIC;
}

/* --- building ---------------------------------------------------------- */

/*
 * A folder on the path of the key being added, and what it gained:
 * children, and the bytes and files of everything below it.
 */
struct level {
	struct strbuf name;
	uint64_t id;
	uint64_t added, bytes, files;
};

struct builder {
	sqlite3 *db;
	sqlite3_stmt *ins, *find, *count, *dir_meta;
	struct level *stack;	/* [0] is the root */
	size_t depth, alloc;
	uint64_t entries;
	const char *name;	/* the manifest, for messages */
	struct strbuf err;
};

static int builder_step(struct builder *b, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	return sql_error(b->db, "write", &b->err);
}

/*
 * Write what the folder at the top of the stack gained, hand its bytes
 * and files on to its parent, and drop it. A folder left and entered
 * again (a manifest not in key order) adds up.
 */
static int pop_level(struct builder *b)
{
	struct level *l = &b->stack[--b->depth];
	int ret = 0;

	if (l->added || l->files) {
		sqlite3_bind_int64(b->count, 1, (sqlite3_int64)l->added);
		sqlite3_bind_int64(b->count, 2, (sqlite3_int64)l->id);
		sqlite3_bind_int64(b->count, 3, (sqlite3_int64)l->bytes);
		sqlite3_bind_int64(b->count, 4, (sqlite3_int64)l->files);
		ret = builder_step(b, b->count);
	}
	if (b->depth) {
		b->stack[b->depth - 1].bytes += l->bytes;
		b->stack[b->depth - 1].files += l->files;
	}
	strbuf_release(&l->name);
	return ret;
}

static int conflict(struct builder *b, const char *key, size_t len,
		    const char *what)
{
	strbuf_addf(&b->err, "%s: the key '%.*s' %s", b->name, (int)len, key,
		    what);
	return QERR_CORRUPT;
}

/* The id of folder name inside the top level, made when new. */
static int enter_folder(struct builder *b, const char *key, size_t keylen,
			const char *name, size_t len)
{
	struct level *parent = &b->stack[b->depth - 1], *l;
	sqlite3_stmt *st = b->find;
	uint64_t id = 0;
	int rc, is_dir = 1;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)parent->id);
	sqlite3_bind_text(st, 2, name, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = (uint64_t)sqlite3_column_int64(st, 0);
		is_dir = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(b->db, "read", &b->err);
	if (!is_dir)
		return conflict(b, key, keylen, "lies inside a file of the "
				"same name as its folder");
	if (!id) {
		st = b->ins;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)parent->id);
		sqlite3_bind_text(st, 2, name, (int)len, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, 1);
		sqlite3_bind_int64(st, 4, 0);
		sqlite3_bind_null(st, 5);
		sqlite3_bind_null(st, 6);
		sqlite3_bind_null(st, 7);
		sqlite3_bind_null(st, 8);
		if (builder_step(b, st))
			return QERR_GENERIC;
		id = (uint64_t)sqlite3_last_insert_rowid(b->db);
		parent->added++;
	}
	ALLOC_GROW(b->stack, b->depth + 1, b->alloc);
	l = &b->stack[b->depth++];
	strbuf_init(&l->name, 0);
	strbuf_add(&l->name, name, len);
	l->id = id;
	l->added = l->bytes = l->files = 0;
	return 0;
}

/*
 * Make the stack hold the folders of key up to its last '/' (for a
 * folder line, key ends with '/': all of it).
 */
static int descend(struct builder *b, const char *key, size_t len)
{
	const char *p = key, *end = key + len, *slash;
	size_t level = 1;
	int ret;

	/* keep the levels the key shares with the stack */
	while (level < b->depth && (slash = memchr(p, '/', end - p)) &&
	       (size_t)(slash - p) == b->stack[level].name.len &&
	       !memcmp(p, b->stack[level].name.buf, slash - p)) {
		p = slash + 1;
		level++;
	}
	while (b->depth > level)
		if ((ret = pop_level(b)))
			return ret;
	while ((slash = memchr(p, '/', end - p))) {
		if (slash - p > NAME_MAX)
			return conflict(b, key, len, "has a component longer "
					"than a file name can be");
		ret = enter_folder(b, key, len, p, slash - p);
		if (ret)
			return ret;
		p = slash + 1;
	}
	return 0;
}

static int add_file(struct builder *b, const struct manifest_entry *e)
{
	const char *key = e->key.buf, *base = strrchr(key, '/');
	struct strbuf meta = STRBUF_INIT;
	sqlite3_stmt *st = b->ins;
	int ret;

	base = base ? base + 1 : key;
	if (strlen(base) > NAME_MAX)
		return conflict(b, key, e->key.len, "has a component longer "
				"than a file name can be");
	if (!e->hash_known)
		return conflict(b, key, e->key.len, "has no hash quire knows");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)b->stack[b->depth - 1].id);
	sqlite3_bind_text(st, 2, base, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, 0);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)e->size);
	sqlite3_bind_int(st, 5, e->oid.type);
	sqlite3_bind_blob(st, 6, e->oid.hash, HASH_RAWSZ, SQLITE_STATIC);
	if (e->physical.len)
		sqlite3_bind_text(st, 7, e->physical.buf, (int)e->physical.len,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	if (e->meta && e->meta->type == JSON_OBJECT && e->meta->u.obj.nr) {
		json_write_canonical(&meta, e->meta);
		sqlite3_bind_text(st, 8, meta.buf, (int)meta.len,
				  SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 8);
	}
	ret = sqlite3_step(st);
	sqlite3_reset(st);
	strbuf_release(&meta);
	if (ret == SQLITE_CONSTRAINT)
		return conflict(b, key, e->key.len, "is there twice, or is "
				"also a folder");
	if (ret != SQLITE_DONE)
		return sql_error(b->db, "write", &b->err);
	b->stack[b->depth - 1].added++;
	b->stack[b->depth - 1].bytes += e->size;
	b->stack[b->depth - 1].files++;
	b->entries++;
	return 0;
}

/* A folder-metadata line: the folder's metadata. */
static int add_folder_meta(struct builder *b, const struct manifest_entry *e)
{
	struct strbuf meta = STRBUF_INIT;
	int ret;

	if (!e->meta || e->meta->type != JSON_OBJECT || !e->meta->u.obj.nr ||
	    b->depth < 2)
		return 0;
	json_write_canonical(&meta, e->meta);
	sqlite3_bind_text(b->dir_meta, 1, meta.buf, (int)meta.len,
			  SQLITE_STATIC);
	sqlite3_bind_int64(b->dir_meta, 2,
			   (sqlite3_int64)b->stack[b->depth - 1].id);
	ret = builder_step(b, b->dir_meta);
	strbuf_release(&meta);
	return ret;
}

static int add_entry(struct builder *b, const struct manifest_entry *e)
{
	size_t len = e->key.len - !!e->is_dir;	/* a folder's ends in '/' */
	struct strbuf why = STRBUF_INIT;
	int ret;

	if (logical_key_check(e->key.buf, len, LOGICAL_KEY_PATH, &why) < 0) {
		strbuf_addf(&b->err, "%s: %s", b->name, why.buf);
		strbuf_release(&why);
		return QERR_CORRUPT;
	}
	ret = descend(b, e->key.buf, e->key.len);
	if (ret)
		return ret;
	return e->is_dir ? add_folder_meta(b, e) : add_file(b, e);
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
		   struct strbuf *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return sql_error(db, "prepare", err);
	return 0;
}

static int builder_start(struct builder *b, struct strbuf *err)
{
	if (sqlite3_exec(b->db, "PRAGMA journal_mode=OFF;"
			 "PRAGMA synchronous=OFF;PRAGMA cache_size=-16384;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(b->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(b->db, index_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(b->db, "BEGIN;INSERT INTO node(id, parent, name, "
			 "is_dir, size, nr) VALUES (1, 0, '', 1, 0, 0)", NULL,
			 NULL, NULL) != SQLITE_OK)
		return sql_error(b->db, "create", err);
	if (prepare(b->db, "INSERT INTO node(parent, name, is_dir, size, nr, "
		    "htype, hash, physical, meta) VALUES (?1, ?2, ?3, ?4, 0, "
		    "?5, ?6, ?7, ?8)", &b->ins, err) ||
	    prepare(b->db, "SELECT id, is_dir FROM node WHERE parent = ?1 "
		    "AND name = ?2", &b->find, err) ||
	    prepare(b->db, "UPDATE node SET nr = nr + ?1, size = size + ?3, "
		    "files = files + ?4 WHERE id = ?2", &b->count, err) ||
	    prepare(b->db, "UPDATE node SET meta = ?1 WHERE id = ?2",
		    &b->dir_meta, err))
		return QERR_GENERIC;
	ALLOC_GROW(b->stack, 1, b->alloc);
	strbuf_init(&b->stack[0].name, 0);
	b->stack[0].id = VINDEX_ROOT;
	b->stack[0].added = b->stack[0].bytes = b->stack[0].files = 0;
	b->depth = 1;
	return 0;
}

static int builder_info(struct builder *b, const struct object_id *top,
			const struct json *meta, struct strbuf *err)
{
	struct strbuf m = STRBUF_INIT;
	sqlite3_stmt *st;
	int ret;

	if (prepare(b->db, "INSERT INTO info(k, v) VALUES ('top', ?1), "
		    "('meta', ?2), ('entries', ?3)", &st, err))
		return QERR_GENERIC;
	json_write_canonical(&m, meta);
	sqlite3_bind_text(st, 1, oid_to_hex(top), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, m.buf, (int)m.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)b->entries);
	ret = sqlite3_step(st) == SQLITE_DONE ? 0 :
	      sql_error(b->db, "write", err);
	sqlite3_finalize(st);
	strbuf_release(&m);
	if (!ret && sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL))
		ret = sql_error(b->db, "write", err);
	return ret;
}

static void builder_release(struct builder *b)
{
	while (b->depth)
		pop_level(b);
	free(b->stack);
	sqlite3_finalize(b->ins);
	sqlite3_finalize(b->find);
	sqlite3_finalize(b->count);
	sqlite3_finalize(b->dir_meta);
	strbuf_release(&b->err);
}

/* Read every entry of fp into the new database at path. */
static int build_db(const char *path, const struct object_id *top, FILE *fp,
		    const char *name, struct strbuf *err)
{
	struct builder b = { 0 };
	struct manifest_reader r;
	const struct manifest_entry *e;
	int ret;

	strbuf_init(&b.err, 0);
	b.name = name;
	if (sqlite3_open_v2(path, &b.db, SQLITE_OPEN_READWRITE,
			    NULL) != SQLITE_OK) {
		ret = sql_error(b.db, "create", err);
		sqlite3_close(b.db);
		return ret;
	}
	ret = builder_start(&b, err);
	if (!ret)
		ret = manifest_reader_open(&r, fp, name, 0, err);
	if (ret) {
		builder_release(&b);
		sqlite3_close(b.db);
		return ret;
	}
	while ((ret = manifest_reader_next_shared(&r, &e, err)) > 0)
		if ((ret = add_entry(&b, e)))
			break;
	while (!ret && b.depth)
		ret = pop_level(&b);
	if (ret && b.err.len)
		strbuf_addbuf(err, &b.err);
	if (!ret)
		ret = builder_info(&b, top, r.meta, err);
	manifest_reader_release(&r);
	builder_release(&b);
	if (sqlite3_close(b.db) != SQLITE_OK && !ret)
		ret = sql_error(NULL, "write", err);
	return ret;
}

static int build(const char *path, const struct object_id *top, FILE *fp,
		 const char *name, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	struct tempfile *t;
	int ret;

	strbuf_add(&dir, path, strrchr(path, '/') - path);
	if (mkdir_p(dir.buf, 0755) < 0) {
		strbuf_addf(err, "cannot create '%s': %s", dir.buf,
			    strerror(errno));
		strbuf_release(&dir);
		return QERR_GENERIC;
	}
	t = create_tempfile_in(dir.buf, "tmp_", 0644, err);
	strbuf_release(&dir);
	if (!t)
		return QERR_GENERIC;
	ret = build_db(t->path, top, fp, name, err);
	if (!ret)
		ret = commit_tempfile(&t, path, err);
	delete_tempfile(&t);
	return ret;
}

/* --- reading ----------------------------------------------------------- */

static char *info_text(sqlite3 *db, const char *k)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, "SELECT v FROM info WHERE k = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* 0 when db is a complete index of top in this layout. */
static int check_db(struct vindex *vx, const struct object_id *top)
{
	char *hex = info_text(vx->db, "top"), *n = NULL;
	int ok = hex && !strcmp(hex, oid_to_hex(top));
	sqlite3_stmt *st;

	if (ok && sqlite3_prepare_v2(vx->db, "PRAGMA user_version", -1, &st,
				     NULL) == SQLITE_OK) {
		ok = sqlite3_step(st) == SQLITE_ROW &&
		     sqlite3_column_int(st, 0) == VINDEX_FORMAT;
		sqlite3_finalize(st);
	}
	if (ok)
		vx->meta = info_text(vx->db, "meta");
	if (ok && (n = info_text(vx->db, "entries")))
		vx->entries = strtoull(n, NULL, 10);
	if (ok && sqlite3_prepare_v2(vx->db, "SELECT max(id) FROM node", -1,
				     &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			vx->max_id = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	free(hex);
	free(n);
	return ok && vx->meta ? 0 : -1;
}

static int open_db(const char *path, const struct object_id *top,
		   struct vindex **out, struct strbuf *err)
{
	struct vindex *vx = xcalloc(1, sizeof(*vx));
	struct strbuf uri = STRBUF_INIT;
	int i, rc;

	vx->top = *top;
	/*
	 * An index is never changed once renamed into place: immutable=1
	 * spares every read its file locks and journal checks.
	 */
	sqlite_immutable_uri(&uri, path);
	rc = sqlite3_open_v2(uri.buf, &vx->db, SQLITE_OPEN_READONLY |
			     SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
	strbuf_release(&uri);
	if (rc != SQLITE_OK ||
	    check_db(vx, top)) {
		vindex_close(vx);
		return QERR_NOTFOUND;
	}
	for (i = 0; i < ST_NR; i++)
		if (prepare(vx->db, stmt_sql[i], &vx->st[i], err)) {
			vindex_close(vx);
			return QERR_GENERIC;
		}
	pthread_mutex_init(&vx->lock, NULL);
	*out = vx;
	return 0;
}

int vindex_open(const struct object_id *top, FILE *fp, const char *name,
		struct vindex **out, int *built, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	*built = 0;
	vindex_path(top, &path);
	ret = open_db(path.buf, top, out, err);
	if (ret == QERR_NOTFOUND && fp) {
		/* absent, or left by another layout: build it (again) */
		ret = build(path.buf, top, fp, name, err);
		if (!ret)
			ret = open_db(path.buf, top, out, err);
		*built = !ret;
	} else if (ret == QERR_NOTFOUND) {
		strbuf_addf(err, "no index of %s in the cache",
			    oid_to_hex(top));
	}
	strbuf_release(&path);
	return ret;
}

void vindex_close(struct vindex *vx)
{
	int i;

	if (!vx)
		return;
	for (i = 0; i < ST_NR; i++)
		sqlite3_finalize(vx->st[i]);
	sqlite3_close(vx->db);
	free(vx->meta);
	free(vx);
}

const char *vindex_package_meta(struct vindex *vx)
{
	return vx->meta;
}

uint64_t vindex_entries(struct vindex *vx)
{
	return vx->entries;
}

uint64_t vindex_max_id(struct vindex *vx)
{
	return vx->max_id;
}

const struct object_id *vindex_top(struct vindex *vx)
{
	return &vx->top;
}

static void column_text(sqlite3_stmt *st, int col, struct strbuf *out)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	strbuf_reset(out);
	if (s)
		strbuf_add(out, s, sqlite3_column_bytes(st, col));
}

static void read_node(sqlite3_stmt *st, struct vnode *n)
{
	const void *hash;

	n->id = (uint64_t)sqlite3_column_int64(st, 0);
	n->parent = (uint64_t)sqlite3_column_int64(st, 1);
	column_text(st, 2, &n->name);
	n->is_dir = sqlite3_column_int(st, 3);
	n->size = (uint64_t)sqlite3_column_int64(st, 4);
	n->nr_children = (uint64_t)sqlite3_column_int64(st, 5);
	n->files = n->is_dir ? (uint64_t)sqlite3_column_int64(st, 10) : 1;
	memset(&n->oid, 0, sizeof(n->oid));
	hash = sqlite3_column_blob(st, 7);
	if (hash && sqlite3_column_bytes(st, 7) == HASH_RAWSZ) {
		n->oid.type = (enum hash_type)sqlite3_column_int(st, 6);
		memcpy(n->oid.hash, hash, HASH_RAWSZ);
	}
	column_text(st, 8, &n->physical);
	column_text(st, 9, &n->meta);
}

/* Step st (bound, under the lock) for one node. */
static int one_node(struct vindex *vx, sqlite3_stmt *st, struct vnode *n)
{
	int rc = sqlite3_step(st), ret = QERR_NOTFOUND;

	if (rc == SQLITE_ROW) {
		read_node(st, n);
		ret = 0;
	} else if (rc != SQLITE_DONE) {
		ret = QERR_GENERIC;
	}
	sqlite3_reset(st);
	pthread_mutex_unlock(&vx->lock);
	return ret;
}

int vindex_get(struct vindex *vx, uint64_t id, struct vnode *n)
{
	sqlite3_stmt *st = vx->st[ST_GET];

	pthread_mutex_lock(&vx->lock);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	return one_node(vx, st, n);
}

int vindex_lookup(struct vindex *vx, uint64_t parent, const char *name,
		  struct vnode *n)
{
	sqlite3_stmt *st = vx->st[ST_LOOKUP];

	pthread_mutex_lock(&vx->lock);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)parent);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	return one_node(vx, st, n);
}

/*
 * Nodes are read a page at a time under the lock and handed to fn
 * outside it, so fn may call back into the index.
 */
#define LIST_PAGE 256

static sqlite3_stmt *list_stmt(struct vindex *vx, unsigned flags)
{
	if (flags & VINDEX_FILES_ONLY)
		return vx->st[ST_LIST_FILES];
	return vx->st[flags & VINDEX_BRIEF ? ST_LIST_BRIEF : ST_LIST];
}

int vindex_list(struct vindex *vx, uint64_t dir, uint64_t after,
		unsigned flags, vindex_node_fn *fn, void *payload)
{
	sqlite3_stmt *st = list_stmt(vx, flags);
	struct vnode *page = xcalloc(LIST_PAGE, sizeof(*page));
	size_t nr, i;
	int ret = 0, rc;

	for (i = 0; i < LIST_PAGE; i++)
		vnode_init(&page[i]);
	do {
		pthread_mutex_lock(&vx->lock);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)dir);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)after);
		sqlite3_bind_int(st, 3, LIST_PAGE);
		for (nr = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; nr++)
			read_node(st, &page[nr]);
		sqlite3_reset(st);
		pthread_mutex_unlock(&vx->lock);
		if (rc != SQLITE_DONE)
			ret = QERR_GENERIC;
		for (i = 0; !ret && i < nr; i++)
			ret = fn(&page[i], payload);
		if (nr)
			after = page[nr - 1].id;
	} while (!ret && nr == LIST_PAGE);
	for (i = 0; i < LIST_PAGE; i++)
		vnode_release(&page[i]);
	free(page);
	return ret;
}

int vindex_list_before(struct vindex *vx, uint64_t dir, uint64_t before,
		       size_t limit, unsigned flags, vindex_node_fn *fn,
		       void *payload)
{
	sqlite3_stmt *st = vx->st[flags & VINDEX_BRIEF ? ST_LIST_BEFORE_BRIEF :
				  ST_LIST_BEFORE];
	struct vnode *page;
	size_t nr, i;
	int ret = 0, rc;

	if (!limit)
		return 0;
	page = xcalloc(limit, sizeof(*page));
	for (i = 0; i < limit; i++)
		vnode_init(&page[i]);
	pthread_mutex_lock(&vx->lock);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)dir);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)before);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	for (nr = 0; nr < limit && (rc = sqlite3_step(st)) == SQLITE_ROW; nr++)
		read_node(st, &page[nr]);
	if (nr == limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	pthread_mutex_unlock(&vx->lock);
	if (rc != SQLITE_DONE)
		ret = QERR_GENERIC;
	/* read newest name first; handed out in name order */
	for (i = nr; !ret && i > 0; i--)
		ret = fn(&page[i - 1], payload);
	for (i = 0; i < limit; i++)
		vnode_release(&page[i]);
	free(page);
	return ret;
}
