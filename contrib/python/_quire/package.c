/*
 * The read side: _quire.Manifest, a package version's verified manifest
 * in the user's cache, read as a stream each time it is walked (entries
 * are made on demand, never all held), and the operations over it:
 * objects fetched into the cache, install, verify and diff.
 */
#include "pyquire.h"
#include "cache.h"
#include "chunked-hash.h"
#include "diff.h"
#include "fetch.h"
#include "folder-check.h"
#include "install.h"
#include "json.h"
#include "logical-key.h"
#include "manifest.h"
#include "physical-key.h"
#include "porcelain.h"
#include "registry.h"
#include "rev-url.h"
#include "workspace.h"

struct pymanifest {
	PyObject_HEAD
	struct object_id top;
	char *name;		/* ns/name, or NULL */
	char *registry;		/* the registry's URL or folder */
	struct version_origin origin;
	int fd;			/* the verified manifest, read-only */
	PyObject *meta;		/* line 1 as JSON text */
	Py_ssize_t count;	/* entries; -1 until counted */
};

static PyTypeObject manifest_type;

/* A fresh reading of the manifest, as a stream of its entries. */
static int open_stream(struct pymanifest *m, FILE **fp,
		       struct entry_stream **s, struct strbuf *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", m->fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(*fp = fdopen(fd, "r"))) {
		strbuf_addf(err, "cannot read the manifest of %s: %s",
			    oid_to_hex(&m->top), strerror(errno));
		if (fd >= 0)
			close(fd);
		return QERR_GENERIC;
	}
	*s = entry_stream_manifest(*fp, m->name ? m->name : "manifest", err);
	if (!*s) {
		fclose(*fp);
		return QERR_CORRUPT;
	}
	return 0;
}

static PyObject *json_text(const struct json *j)
{
	struct strbuf sb = STRBUF_INIT;
	PyObject *o;

	json_write_python(&sb, j);
	o = PyUnicode_DecodeUTF8(sb.buf, sb.len, "surrogatepass");
	strbuf_release(&sb);
	return o;
}

/* (logical_key, physical_key, size, hash_type, hash_value, meta_json) */
static PyObject *entry_tuple(const struct manifest_entry *e)
{
	PyObject *meta = json_text(e->meta);

	if (!meta)
		return NULL;
	/* "N" hands meta over, on failure too */
	return Py_BuildValue("(s#s#KssN)", e->key.buf, (Py_ssize_t)e->key.len,
			     e->physical.buf, (Py_ssize_t)e->physical.len,
			     (unsigned long long)e->size,
			     hash_type_name(e->oid.type), oid_to_value(&e->oid),
			     meta);
}

/* --- iteration --------------------------------------------------------- */

struct pyentry_iter {
	PyObject_HEAD
	struct pymanifest *m;
	FILE *fp;
	struct entry_stream *s;
	char *prefix;
	size_t prefix_len;
	int keys_only;
	int seen;		/* a key below the prefix came by */
};

static void iter_close(struct pyentry_iter *it)
{
	if (it->s)
		entry_stream_free(it->s);
	if (it->fp)
		fclose(it->fp);
	it->s = NULL;
	it->fp = NULL;
}

static void iter_dealloc(struct pyentry_iter *it)
{
	iter_close(it);
	free(it->prefix);
	Py_XDECREF(it->m);
	Py_TYPE(it)->tp_free((PyObject *)it);
}

/*
 * Entries below a prefix ending in '/' come together in quilt3 order,
 * so the walk stops after them.
 */
static int iter_past(struct pyentry_iter *it)
{
	return it->seen && it->prefix_len &&
	       it->prefix[it->prefix_len - 1] == '/';
}

static PyObject *iter_next(struct pyentry_iter *it)
{
	struct strbuf err = STRBUF_INIT;
	const struct manifest_entry *e;
	int ret;

	while (it->s) {
		ret = it->s->next_shared(it->s, &e, &err);
		if (ret <= 0) {
			iter_close(it);
			if (ret < 0) {
				pyquire_raise(ret, &err, "cannot read");
				strbuf_release(&err);
			}
			return NULL;
		}
		if (it->prefix_len && (e->key.len < it->prefix_len ||
		    memcmp(e->key.buf, it->prefix, it->prefix_len))) {
			if (iter_past(it))
				iter_close(it);
			continue;
		}
		it->seen = 1;
		if (it->keys_only)
			return PyUnicode_DecodeUTF8(e->key.buf, e->key.len,
						    "surrogatepass");
		return entry_tuple(e);
	}
	return NULL;
}

static PyTypeObject entry_iter_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "_quire.EntryIterator",
	.tp_basicsize = sizeof(struct pyentry_iter),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_dealloc = (destructor)iter_dealloc,
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)iter_next,
	.tp_doc = "Entries of a manifest, read one at a time.",
};

static PyObject *new_iter(struct pymanifest *m, const char *prefix,
			  int keys_only)
{
	struct strbuf err = STRBUF_INIT;
	struct pyentry_iter *it;
	int ret;

	it = PyObject_New(struct pyentry_iter, &entry_iter_type);
	if (!it)
		return NULL;
	it->m = m;
	Py_INCREF(m);
	it->fp = NULL;
	it->s = NULL;
	it->prefix = xstrdup(prefix ? prefix : "");
	it->prefix_len = strlen(it->prefix);
	it->keys_only = keys_only;
	it->seen = 0;
	ret = open_stream(m, &it->fp, &it->s, &err);
	if (ret) {
		Py_DECREF(it);
		pyquire_raise(ret, &err, "cannot read the manifest");
		strbuf_release(&err);
		return NULL;
	}
	return (PyObject *)it;
}

static PyObject *manifest_keys(struct pymanifest *m, PyObject *args)
{
	const char *prefix = "";

	if (!PyArg_ParseTuple(args, "|s:keys", &prefix))
		return NULL;
	return new_iter(m, prefix, 1);
}

static PyObject *manifest_entries(struct pymanifest *m, PyObject *args)
{
	const char *prefix = "";

	if (!PyArg_ParseTuple(args, "|s:entries", &prefix))
		return NULL;
	return new_iter(m, prefix, 0);
}

/* The number of entries, counted once (GIL released). */
static PyObject *manifest_count(struct pymanifest *m, PyObject *unused)
{
	struct strbuf err = STRBUF_INIT;
	const struct manifest_entry *e;
	struct entry_stream *s;
	Py_ssize_t n = 0;
	FILE *fp;
	int ret;

	if (m->count >= 0)
		return PyLong_FromSsize_t(m->count);
	Py_BEGIN_ALLOW_THREADS
	ret = open_stream(m, &fp, &s, &err);
	if (!ret) {
		while ((ret = s->next_shared(s, &e, &err)) > 0)
			n++;
		entry_stream_free(s);
		fclose(fp);
	}
	Py_END_ALLOW_THREADS
	if (ret < 0) {
		pyquire_raise(ret, &err, "cannot read the manifest");
		strbuf_release(&err);
		return NULL;
	}
	m->count = n;
	return PyLong_FromSsize_t(n);
}

/* --- finding one key ---------------------------------------------------- */

/*
 * A manifest's lines after line 1 are sorted: folder lines first, then
 * entries in quilt3's order (logical_key_cmp). So one key is found by a
 * binary search over byte offsets, as look(1) does: a few lines read,
 * whatever the manifest's size, nothing held.
 */
struct probe {
	FILE *fp;
	struct strbuf line;
	struct manifest_entry e;
	const char *key;
	size_t key_len;
};

/*
 * Read the first whole line starting at or after off (at off itself
 * when aligned) into p->e: 1 with *start and *end its offsets, 0 at the
 * end, or a negative qerr.
 */
static int probe_line(struct probe *p, off_t off, int aligned, off_t *start,
		      off_t *end, struct strbuf *err)
{
	int c = 0, ret;

	if (fseeko(p->fp, off, SEEK_SET) < 0) {
		strbuf_addf(err, "cannot read the manifest: %s",
			    strerror(errno));
		return QERR_GENERIC;
	}
	while (!aligned && (c = getc(p->fp)) != EOF && c != '\n')
		;
	if (c == EOF)
		return 0;
	*start = ftello(p->fp);
	strbuf_reset(&p->line);
	ret = strbuf_getline_max(&p->line, p->fp, MANIFEST_LINE_MAX, NULL);
	if (ret == EOF)
		return 0;
	*end = ftello(p->fp);
	manifest_entry_release(&p->e);
	manifest_entry_init(&p->e);
	if (!ret)
		ret = manifest_parse_entry(p->line.buf, p->line.len, 0, &p->e,
					   err);
	return ret < 0 ? QERR_CORRUPT : 1;
}

/* <0, 0, >0: the line read sorts before, at or after the key sought. */
static int probe_cmp(const struct probe *p)
{
	if (p->e.is_dir)
		return -1;
	return logical_key_cmp(p->e.key.buf, p->e.key.len, p->key,
			       p->key_len);
}

/*
 * Leave in p->e the first entry whose key is not before p->key: 1, or
 * 0 when there is none.
 */
static int probe_seek(struct probe *p, struct strbuf *err)
{
	off_t lo, hi, start, end;
	struct stat st;
	int ret;

	if (fstat(fileno(p->fp), &st) < 0)
		return QERR_GENERIC;
	/* line 1, the package metadata */
	strbuf_reset(&p->line);
	if (strbuf_getline_max(&p->line, p->fp, MANIFEST_LINE_MAX, NULL))
		return 0;
	lo = ftello(p->fp);
	hi = st.st_size;
	/* lo is a line start not after the answer; the answer starts <= hi */
	while (hi - lo > 4096) {
		off_t mid = lo + (hi - lo) / 2;

		ret = probe_line(p, mid, 0, &start, &end, err);
		if (ret < 0)
			return ret;
		if (!ret || start >= hi)
			hi = mid;
		else if (probe_cmp(p) < 0)
			lo = end;
		else
			hi = start;
	}
	for (start = lo;; start = end) {
		ret = probe_line(p, start, 1, &start, &end, err);
		if (ret <= 0 || probe_cmp(p) >= 0)
			return ret;
	}
}

/* Open a reading of m and seek key: as probe_seek(). */
static int probe_find(struct pymanifest *m, struct probe *p, const char *key,
		      size_t len, struct strbuf *err)
{
	char path[64];
	int fd, ret;

	p->key = key;
	p->key_len = len;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", m->fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(p->fp = fdopen(fd, "r"))) {
		strbuf_addf(err, "cannot read the manifest of %s: %s",
			    oid_to_hex(&m->top), strerror(errno));
		if (fd >= 0)
			close(fd);
		return QERR_GENERIC;
	}
	Py_BEGIN_ALLOW_THREADS
	ret = probe_seek(p, err);
	Py_END_ALLOW_THREADS
	return ret;
}

static void probe_release(struct probe *p)
{
	if (p->fp)
		fclose(p->fp);
	strbuf_release(&p->line);
	manifest_entry_release(&p->e);
}

/* find(key) -> the entry tuple, or None. */
static PyObject *manifest_find(struct pymanifest *m, PyObject *args)
{
	struct strbuf err = STRBUF_INIT;
	struct probe p = { .line = STRBUF_INIT };
	PyObject *out = NULL;
	const char *key;
	Py_ssize_t len;
	int ret;

	if (!PyArg_ParseTuple(args, "s#:find", &key, &len))
		return NULL;
	manifest_entry_init(&p.e);
	ret = probe_find(m, &p, key, len, &err);
	if (ret < 0)
		pyquire_raise(ret, &err, "cannot read the manifest");
	else if (ret && !probe_cmp(&p))
		out = entry_tuple(&p.e);
	else
		out = Py_NewRef(Py_None);
	probe_release(&p);
	strbuf_release(&err);
	return out;
}

/* Is there an entry below the folder prefix ("dir" or "dir/")? */
static PyObject *manifest_has_prefix(struct pymanifest *m, PyObject *args)
{
	struct strbuf err = STRBUF_INIT;
	struct probe p = { .line = STRBUF_INIT };
	PyObject *out = NULL;
	const char *dir;
	Py_ssize_t len;
	int ret;

	if (!PyArg_ParseTuple(args, "s#:has_prefix", &dir, &len))
		return NULL;
	while (len && dir[len - 1] == '/')
		len--;
	manifest_entry_init(&p.e);
	/* "dir/..." come right after "dir" itself, before "dir-x" */
	ret = probe_find(m, &p, dir, len, &err);
	if (ret > 0 && !probe_cmp(&p)) {
		off_t start, end = ftello(p.fp);

		ret = probe_line(&p, end, 1, &start, &end, &err);
	}
	if (ret < 0)
		pyquire_raise(ret, &err, "cannot read the manifest");
	else
		out = PyBool_FromLong(ret > 0 && !p.e.is_dir &&
				      p.e.key.len > (size_t)len &&
				      !memcmp(p.e.key.buf, dir, len) &&
				      p.e.key.buf[len] == '/');
	probe_release(&p);
	strbuf_release(&err);
	return out;
}

/*
 * Entries for many keys in one pass: a list of entry tuples, None for
 * a key the version does not have. Also the entry for one key (a str):
 * the tuple or None.
 */
static PyObject *manifest_lookup(struct pymanifest *m, PyObject *arg)
{
	struct strbuf err = STRBUF_INIT;
	const struct manifest_entry *e;
	PyObject *want = NULL, *found = NULL, *keys = NULL, *out = NULL;
	struct entry_stream *s;
	Py_ssize_t i, left;
	FILE *fp;
	int ret, one = PyUnicode_Check(arg);

	keys = one ? PyTuple_Pack(1, arg) : PySequence_Tuple(arg);
	if (!keys)
		return NULL;
	want = PySet_New(keys);
	found = PyDict_New();
	if (!want || !found)
		goto out;
	for (i = 0; i < PyTuple_GET_SIZE(keys); i++) {
		PyObject *k = PyTuple_GET_ITEM(keys, i);

		if (!PyUnicode_Check(k)) {
			PyErr_Format(PyExc_TypeError, "a logical key is a "
				     "str, not %.100s", Py_TYPE(k)->tp_name);
			goto out;
		}
	}
	left = PySet_GET_SIZE(want);
	ret = open_stream(m, &fp, &s, &err);
	if (ret) {
		pyquire_raise(ret, &err, "cannot read the manifest");
		goto out;
	}
	while (left && (ret = s->next_shared(s, &e, &err)) > 0) {
		PyObject *k = PyUnicode_DecodeUTF8(e->key.buf, e->key.len,
						   "surrogatepass");
		PyObject *t;
		int has;

		if (!k)
			break;
		has = PySet_Contains(want, k);
		if (has > 0 && (t = entry_tuple(e))) {
			has = PyDict_SetItem(found, k, t);
			Py_DECREF(t);
			left--;
		} else if (has > 0) {
			has = -1;
		}
		Py_DECREF(k);
		if (has < 0)
			break;
	}
	entry_stream_free(s);
	fclose(fp);
	if (PyErr_Occurred())
		goto out;
	if (ret < 0) {
		pyquire_raise(ret, &err, "cannot read the manifest");
		goto out;
	}
	if (one) {
		out = PyDict_GetItemWithError(found, arg);
		if (!out && !PyErr_Occurred())
			out = Py_None;
		Py_XINCREF(out);
		goto out;
	}
	out = PyList_New(PyTuple_GET_SIZE(keys));
	for (i = 0; out && i < PyTuple_GET_SIZE(keys); i++) {
		PyObject *k = PyTuple_GET_ITEM(keys, i);
		PyObject *t = PyDict_GetItemWithError(found, k);

		if (!t && PyErr_Occurred()) {
			Py_CLEAR(out);
			break;
		}
		t = t ? t : Py_None;
		Py_INCREF(t);
		PyList_SET_ITEM(out, i, t);
	}
out:
	strbuf_release(&err);
	Py_XDECREF(keys);
	Py_XDECREF(want);
	Py_XDECREF(found);
	return out;
}

/* --- objects ----------------------------------------------------------- */

/* An entry's object: (physical_key, hash_type, hash_value, size). */
static int parse_object(PyObject *t, const char **physical,
			struct object_id *oid, uint64_t *size)
{
	const char *type, *value;
	unsigned long long sz;
	enum hash_type ht;

	if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 4) {
		PyErr_SetString(PyExc_TypeError, "an object is a tuple "
				"(physical_key, hash_type, hash_value, size)");
		return -1;
	}
	if (!PyArg_ParseTuple(t, "sssK", physical, &type, &value, &sz))
		return -1;
	if (hash_type_from_name(type, strlen(type), &ht) ||
	    oid_from_value(oid, ht, value, strlen(value))) {
		PyErr_Format(pyquire_UsageError, "not a hash quire knows: "
			     "%s %s", type, value);
		return -1;
	}
	*size = sz;
	return 0;
}

static int check_local(struct pymanifest *m, const char *physical,
		       struct strbuf *err)
{
	int ret;

	if (!m->origin.from_registry)
		return 0;
	ret = physical_key_local_allowed(physical, m->origin.local_root, err);
	if (ret)
		strbuf_addstr(err, "; quire reads such files only when you "
			      "trust the registry");
	return ret;
}

/* The objects' paths in the cache, as a list of str. */
static PyObject *cache_paths(struct odb *cache, struct fetch_item *items,
			     Py_ssize_t nr)
{
	struct strbuf path = STRBUF_INIT;
	PyObject *out = PyList_New(nr);
	Py_ssize_t i;

	for (i = 0; out && i < nr; i++) {
		PyObject *p;

		strbuf_reset(&path);
		odb_path(cache, &items[i].oid, &path);
		p = PyUnicode_DecodeFSDefaultAndSize(path.buf, path.len);
		if (!p) {
			Py_CLEAR(out);
			break;
		}
		PyList_SET_ITEM(out, i, p);
	}
	strbuf_release(&path);
	return out;
}

/*
 * Fetch objects ((physical_key, hash_type, hash_value, size) tuples)
 * into the user's cache, verified, in parallel, the GIL released.
 * Returns their paths in the cache.
 */
static PyObject *fetch_many(struct pymanifest *m, PyObject *seq)
{
	struct strbuf err = STRBUF_INIT;
	struct fetch_item *items = NULL;
	PyObject *tuple, *out = NULL;
	struct odb cache;
	Py_ssize_t i, nr;
	int ret = 0;

	tuple = PySequence_Tuple(seq);
	if (!tuple)
		return NULL;
	nr = PyTuple_GET_SIZE(tuple);
	items = xcalloc(nr ? nr : 1, sizeof(*items));
	for (i = 0; i < nr; i++) {
		const char *physical;
		struct object_id oid;
		uint64_t size;

		if (parse_object(PyTuple_GET_ITEM(tuple, i), &physical, &oid,
				 &size) < 0)
			goto out;
		fetch_item_init(&items[i], physical, &oid, size);
		ret = check_local(m, physical, &err);
		if (ret)
			break;
	}
	if (!ret && !(ret = cache_odb(&cache, &err))) {
		Py_BEGIN_ALLOW_THREADS
		ret = fetch_objects(&cache, items, nr, &err);
		Py_END_ALLOW_THREADS
		if (!ret)
			out = cache_paths(&cache, items, nr);
		odb_release(&cache);
	}
	if (ret)
		pyquire_raise(ret, &err, "cannot fetch");
out:
	for (i = 0; i < nr; i++)
		fetch_item_release(&items[i]);
	free(items);
	strbuf_release(&err);
	Py_DECREF(tuple);
	return out;
}

/*
 * Remove the objects of these entries from the user's cache (another
 * version or workspace that needs one fetches it again): the number
 * removed.
 */
static PyObject *uncache_many(struct pymanifest *m, PyObject *seq)
{
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	PyObject *tuple;
	struct odb cache;
	Py_ssize_t i, nr;
	long removed = 0;

	tuple = PySequence_Tuple(seq);
	if (!tuple)
		return NULL;
	if (cache_odb(&cache, &err)) {
		pyquire_raise(QERR_GENERIC, &err, "cannot open the cache");
		goto out;
	}
	nr = PyTuple_GET_SIZE(tuple);
	for (i = 0; i < nr; i++) {
		const char *physical;
		struct object_id oid;
		uint64_t size;

		if (parse_object(PyTuple_GET_ITEM(tuple, i), &physical, &oid,
				 &size) < 0)
			break;
		strbuf_reset(&path);
		odb_path(&cache, &oid, &path);
		if (!unlink(path.buf))
			removed++;
	}
	odb_release(&cache);
out:
	strbuf_release(&err);
	strbuf_release(&path);
	Py_DECREF(tuple);
	return PyErr_Occurred() ? NULL : PyLong_FromLong(removed);
}

/* --- install, verify, diff --------------------------------------------- */

static PyObject *manifest_install(struct pymanifest *m, PyObject *args,
				  PyObject *kw)
{
	static char *names[] = { "dest", "path", "force", "link", NULL };
	struct strbuf err = STRBUF_INIT, kept = STRBUF_INIT;
	struct strbuf rev = STRBUF_INIT;
	struct install_request rq = { 0 };
	struct checkout_stats stats = { 0 };
	struct workspace *ws = NULL;
	struct object_id top;
	PyObject *dest = NULL, *path = NULL, *out = NULL;
	const char *dest_s;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|Opz:install", names,
					 &dest, &path, &rq.opts.force,
					 &rq.link))
		return NULL;
	if (dest == Py_None) {
		PyErr_SetString(pyquire_UsageError, "install needs the folder "
				"to install into");
		return NULL;
	}
	dest = PyOS_FSPath(dest);
	if (!dest)
		return NULL;
	if (pyquire_opt_str(dest, "dest", &dest_s) < 0 ||
	    pyquire_opt_str(path, "path", &rq.opts.path_prefix) < 0)
		goto out;
	if (!dest_s || !*dest_s) {
		PyErr_SetString(pyquire_UsageError, "install needs the folder "
				"to install into");
		goto out;
	}
	if (!m->name) {
		PyErr_SetString(pyquire_UsageError, "this version has no "
				"package name; open it as ns/name@hash");
		goto out;
	}
	strbuf_addf(&rev, "%s@%s", m->name, oid_to_hex(&m->top));
	rq.registry = m->registry;
	rq.rev = rev.buf;
	rq.to = dest_s;
	rq.opts.quiet = 1;
	Py_BEGIN_ALLOW_THREADS
	ret = install_package(&rq, &ws, &top, &stats, &kept, &err);
	Py_END_ALLOW_THREADS
	if (ret < 0) {
		pyquire_raise(ret, &err, "cannot install");
		goto out;
	}
	out = PyUnicode_DecodeFSDefault(ws->root);
	workspace_free(ws);
out:
	Py_DECREF(dest);
	strbuf_release(&err);
	strbuf_release(&kept);
	strbuf_release(&rev);
	return out;
}

struct findings {
	PyObject *added, *modified, *deleted;
	int failed;
};

static void add_finding(PyObject *list, const char *key, size_t len,
			struct findings *f)
{
	PyObject *k = PyUnicode_DecodeUTF8(key, len, "surrogatepass");

	if (!k || PyList_Append(list, k) < 0)
		f->failed = 1;
	Py_XDECREF(k);
}

static void folder_finding(const char *what, const char *key, void *payload)
{
	struct findings *f = payload;
	PyGILState_STATE g = PyGILState_Ensure();

	if (!strcmp(what, "extra"))
		add_finding(f->added, key, strlen(key), f);
	else if (!strcmp(what, "missing"))
		add_finding(f->deleted, key, strlen(key), f);
	else
		add_finding(f->modified, key, strlen(key), f);
	PyGILState_Release(g);
}

static PyObject *findings_dict(struct findings *f)
{
	PyObject *d = NULL;

	if (!f->failed && !PyErr_Occurred())
		d = Py_BuildValue("{sOsOsO}", "added", f->added, "modified",
				  f->modified, "deleted", f->deleted);
	Py_XDECREF(f->added);
	Py_XDECREF(f->modified);
	Py_XDECREF(f->deleted);
	return d;
}

static int findings_init(struct findings *f)
{
	f->added = PyList_New(0);
	f->modified = PyList_New(0);
	f->deleted = PyList_New(0);
	f->failed = !f->added || !f->modified || !f->deleted;
	return f->failed ? -1 : 0;
}

/*
 * Compare a quire folder (an install, a workspace) with this version,
 * byte for byte: {"added": extra files, "modified": [...], "deleted":
 * missing files}.
 */
static PyObject *manifest_check_folder(struct pymanifest *m, PyObject *arg)
{
	struct strbuf err = STRBUF_INIT, warn = STRBUF_INIT;
	struct folder_check_counts counts;
	struct findings f;
	struct workspace *ws = NULL;
	struct entry_stream *s = NULL;
	PyObject *dir;
	const char *dir_s;
	FILE *fp = NULL;
	int ret;

	dir = PyOS_FSPath(arg);
	if (!dir)
		return NULL;
	if (pyquire_opt_str(dir, "dir", &dir_s) < 0 || !dir_s ||
	    findings_init(&f) < 0) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "dir is a path");
		Py_DECREF(dir);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	ret = folder_check_workspace(dir_s, &ws, &err);
	if (!ret)
		ret = workspace_index(ws, &err);
	if (!ret)
		ret = open_stream(m, &fp, &s, &err);
	if (!ret)
		ret = folder_check(ws, s, NULL, folder_finding, &f, &counts,
				   &warn, &err);
	if (s)
		entry_stream_free(s);
	if (fp)
		fclose(fp);
	if (ws)
		workspace_free(ws);
	Py_END_ALLOW_THREADS
	Py_DECREF(dir);
	strbuf_release(&warn);
	if (ret < 0) {
		f.failed = 1;
		findings_dict(&f);
		pyquire_raise(ret, &err, "cannot check the folder");
		strbuf_release(&err);
		return NULL;
	}
	strbuf_release(&err);
	return findings_dict(&f);
}

static int diff_one(enum diff_kind kind, const struct manifest_entry *a,
		    const struct manifest_entry *b, void *payload)
{
	struct findings *f = payload;

	switch (kind) {
	case DIFF_ADDED:
		add_finding(f->added, b->key.buf, b->key.len, f);
		break;
	case DIFF_DELETED:
		add_finding(f->deleted, a->key.buf, a->key.len, f);
		break;
	default:
		add_finding(f->modified, a->key.buf, a->key.len, f);
		break;
	}
	return f->failed;
}

/* This version (old) against another (new), as quilt3's diff. */
static PyObject *manifest_diff(struct pymanifest *m, PyObject *arg)
{
	struct strbuf err = STRBUF_INIT;
	struct entry_stream *a = NULL, *b = NULL;
	struct pymanifest *o;
	struct findings f;
	FILE *fa = NULL, *fb = NULL;
	int ret;

	if (!PyObject_TypeCheck(arg, &manifest_type)) {
		PyErr_Format(PyExc_TypeError, "diff takes a Manifest, not "
			     "%.100s", Py_TYPE(arg)->tp_name);
		return NULL;
	}
	o = (struct pymanifest *)arg;
	if (findings_init(&f) < 0)
		return findings_dict(&f);
	ret = open_stream(m, &fa, &a, &err);
	if (!ret)
		ret = open_stream(o, &fb, &b, &err);
	if (!ret)
		ret = diff_streams(a, b, diff_one, &f, &err);
	if (a)
		entry_stream_free(a);
	if (b)
		entry_stream_free(b);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	if (ret < 0 && !f.failed) {
		f.failed = 1;
		findings_dict(&f);
		pyquire_raise(ret, &err, "cannot compare");
		strbuf_release(&err);
		return NULL;
	}
	strbuf_release(&err);
	return findings_dict(&f);
}

/* --- the type ---------------------------------------------------------- */

static void manifest_dealloc(struct pymanifest *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m->name);
	free(m->registry);
	version_origin_release(&m->origin);
	Py_XDECREF(m->meta);
	Py_TYPE(m)->tp_free((PyObject *)m);
}

static PyObject *get_top_hash(struct pymanifest *m, void *unused)
{
	return pyquire_hex(&m->top);
}

static PyObject *get_str(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_FromString(s);
}

static PyObject *get_name(struct pymanifest *m, void *unused)
{
	return get_str(m->name);
}

static PyObject *get_registry(struct pymanifest *m, void *unused)
{
	return get_str(m->registry);
}

static PyObject *get_meta(struct pymanifest *m, void *unused)
{
	Py_INCREF(m->meta);
	return m->meta;
}

static PyObject *get_path(struct pymanifest *m, void *unused)
{
	char path[64];
	char real[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", m->fd);
	n = readlink(path, real, sizeof(real) - 1);
	if (n < 0)
		return PyErr_SetFromErrno(PyExc_OSError);
	return PyUnicode_DecodeFSDefaultAndSize(real, n);
}

static PyGetSetDef manifest_getset[] = {
	{ "top_hash", (getter)get_top_hash, NULL, "the top hash (hex)", NULL },
	{ "name", (getter)get_name, NULL, "the package name ns/name", NULL },
	{ "registry", (getter)get_registry, NULL, "the registry's URL", NULL },
	{ "meta", (getter)get_meta, NULL,
	  "the package metadata (line 1) as JSON text", NULL },
	{ "path", (getter)get_path, NULL,
	  "the verified manifest in the user's cache", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static PyMethodDef manifest_methods[] = {
	{ "keys", (PyCFunction)manifest_keys, METH_VARARGS,
	  "keys(prefix='') -> iterator of the logical keys below prefix" },
	{ "entries", (PyCFunction)manifest_entries, METH_VARARGS,
	  "entries(prefix='') -> iterator of (logical_key, physical_key, "
	  "size, hash_type, hash_value, meta_json)" },
	{ "count", (PyCFunction)manifest_count, METH_NOARGS,
	  "the number of entries" },
	{ "lookup", (PyCFunction)manifest_lookup, METH_O,
	  "lookup(key) -> entry tuple or None; lookup([keys]) -> list, in "
	  "one pass" },
	{ "has_prefix", (PyCFunction)manifest_has_prefix, METH_VARARGS,
	  "has_prefix(dir) -> whether any key is below the folder dir" },
	{ "find", (PyCFunction)manifest_find, METH_VARARGS,
	  "find(key) -> the entry tuple or None, by a binary search" },
	{ "fetch", (PyCFunction)fetch_many, METH_O,
	  "fetch([(physical_key, hash_type, hash_value, size), ...]) -> "
	  "their paths in the user's cache, fetched and verified in "
	  "parallel" },
	{ "uncache", (PyCFunction)uncache_many, METH_O,
	  "uncache([(physical_key, hash_type, hash_value, size), ...]) -> "
	  "how many of their objects were removed from the user's cache" },
	{ "install", (PyCFunction)(void (*)(void))manifest_install,
	  METH_VARARGS | METH_KEYWORDS,
	  "install(dest, path=None, force=False, link=None) -> the folder" },
	{ "check_folder", (PyCFunction)manifest_check_folder, METH_O,
	  "check_folder(dir) -> {'added', 'modified', 'deleted'}" },
	{ "diff", (PyCFunction)manifest_diff, METH_O,
	  "diff(other) -> {'added', 'modified', 'deleted'}" },
	{ NULL, NULL, 0, NULL }
};

static PyTypeObject manifest_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "_quire.Manifest",
	.tp_basicsize = sizeof(struct pymanifest),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_dealloc = (destructor)manifest_dealloc,
	.tp_methods = manifest_methods,
	.tp_getset = manifest_getset,
	.tp_doc = "A package version's verified manifest, read as a stream.",
};

/* The registry URL and package name rev names; *name may stay NULL. */
static int rev_names(struct workspace *ws, const char *registry,
		     const char *rev, char **url, char **name,
		     struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct package_rev prev;
	struct rev_url u;
	int ret = porcelain_rev_url(registry, rev, &u, err);

	if (ret)
		return ret;
	ret = porcelain_registry_url(ws, u.registry, &sb, err);
	if (!ret && package_rev_like(u.rev) &&
	    !package_rev_parse(&prev, u.rev, &sb)) {
		*name = xstrdup(prev.name);
		package_rev_release(&prev);
	}
	else if (!ret && ws && workspace_package_name(ws))
		*name = xstrdup(workspace_package_name(ws));
	if (!ret) {
		strbuf_reset(&sb);
		ret = porcelain_registry_url(ws, u.registry, &sb, err);
		*url = strbuf_detach(&sb, NULL);
	}
	strbuf_release(&sb);
	rev_url_release(&u);
	return ret;
}

/*
 * As a command run here would: inside a workspace, its revisions (HEAD,
 * a hash) count, its origin is the registry when none is named, and
 * versions fetched go to its store.
 */
PyObject *pyquire_open_manifest(const char *rev, const char *registry)
{
	struct strbuf err = STRBUF_INIT;
	struct workspace *ws = NULL;
	struct pymanifest *m;
	struct json *meta = NULL;
	FILE *fp = NULL;
	int ret;

	m = PyObject_New(struct pymanifest, &manifest_type);
	if (!m)
		return NULL;
	m->name = m->registry = NULL;
	memset(&m->origin, 0, sizeof(m->origin));
	m->fd = -1;
	m->meta = NULL;
	m->count = -1;
	Py_BEGIN_ALLOW_THREADS
	if (workspace_discover(".", &ws, &err))
		strbuf_reset(&err);
	ret = rev_names(ws, registry, rev, &m->registry, &m->name, &err);
	if (!ret)
		ret = porcelain_open_version_origin(ws, registry, rev,
						    &m->top, &fp, &m->origin,
						    &err);
	if (!ret)
		ret = manifest_read_meta(fp, rev, &meta, &err);
	if (!ret && (m->fd = dup(fileno(fp))) < 0) {
		strbuf_addf(&err, "cannot keep the manifest open: %s",
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	if (fp)
		fclose(fp);
	workspace_free(ws);
	Py_END_ALLOW_THREADS
	if (!ret)
		m->meta = json_text(meta);
	json_free(meta);
	if (ret) {
		pyquire_raise(ret, &err, "cannot open the package");
		strbuf_release(&err);
		Py_DECREF(m);
		return NULL;
	}
	strbuf_release(&err);
	if (!m->meta) {
		Py_DECREF(m);
		return NULL;
	}
	return (PyObject *)m;
}

static PyObject *py_open(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *names[] = { "rev", "registry", NULL };
	PyObject *registry = NULL;
	const char *rev, *reg;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|O:open", names, &rev,
					 &registry) ||
	    pyquire_opt_str(registry, "registry", &reg) < 0)
		return NULL;
	if (!*rev) {
		PyErr_SetString(pyquire_UsageError, "an empty revision; name "
				"a package as ns/name[:tag|@hash]");
		return NULL;
	}
	return pyquire_open_manifest(rev, reg);
}

/* --- registries -------------------------------------------------------- */

static int open_registry(PyObject *arg, struct registry **reg)
{
	struct strbuf err = STRBUF_INIT;
	const char *s;
	int ret;

	if (pyquire_opt_str(arg, "registry", &s) < 0)
		return -1;
	Py_BEGIN_ALLOW_THREADS
	ret = porcelain_registry(NULL, s, 0, reg, &err);
	Py_END_ALLOW_THREADS
	if (ret) {
		pyquire_raise(ret, &err, "cannot open the registry");
		strbuf_release(&err);
		return -1;
	}
	strbuf_release(&err);
	return 0;
}

/* Called without the GIL (the listing runs without it). */
static int add_name(const char *name, void *payload)
{
	PyGILState_STATE g = PyGILState_Ensure();
	PyObject *k = PyUnicode_FromString(name);
	int ret = k ? PyList_Append(payload, k) : -1;

	Py_XDECREF(k);
	PyGILState_Release(g);
	return ret;
}

static PyObject *py_list_packages(PyObject *self, PyObject *args,
				  PyObject *kw)
{
	static char *names[] = { "registry", NULL };
	struct strbuf err = STRBUF_INIT;
	PyObject *arg = NULL, *out;
	struct registry *reg;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:list_packages", names,
					 &arg) || open_registry(arg, &reg) < 0)
		return NULL;
	out = PyList_New(0);
	ret = 0;
	if (out) {
		Py_BEGIN_ALLOW_THREADS
		ret = registry_for_each_package(reg, add_name, out, &err);
		Py_END_ALLOW_THREADS
	}
	registry_free(reg);
	if (ret && !PyErr_Occurred())
		pyquire_raise(ret, &err, "cannot list the packages");
	strbuf_release(&err);
	if (PyErr_Occurred())
		Py_CLEAR(out);
	return out;
}

/* Called without the GIL, as add_name(). */
static int add_version(uint64_t time, const struct object_id *top,
		       void *payload)
{
	PyGILState_STATE g = PyGILState_Ensure();
	PyObject *t = Py_BuildValue("(Ks)", (unsigned long long)time,
				    oid_to_hex(top));
	int ret = t ? PyList_Append(payload, t) : -1;

	Py_XDECREF(t);
	PyGILState_Release(g);
	return ret;
}

/* [(unix time, top hash), ...] oldest first, then ("latest", hash). */
static PyObject *py_list_versions(PyObject *self, PyObject *args,
				  PyObject *kw)
{
	static char *names[] = { "name", "registry", NULL };
	struct strbuf err = STRBUF_INIT;
	PyObject *arg = NULL, *out;
	struct registry *reg;
	struct object_id latest;
	const char *name;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|O:list_package_versions",
					 names, &name, &arg))
		return NULL;
	if (!package_rev_like(name) || strchr(name, ':') ||
	    strchr(name, '@')) {
		PyErr_Format(pyquire_UsageError, "'%s' is not a package "
			     "name; give ns/name", name);
		return NULL;
	}
	if (open_registry(arg, &reg) < 0)
		return NULL;
	out = PyList_New(0);
	ret = 0;
	if (out) {
		Py_BEGIN_ALLOW_THREADS
		ret = registry_for_each_version(reg, name, add_version, out,
						&err);
		if (!ret)
			ret = registry_read_latest(reg, name, &latest, &err);
		Py_END_ALLOW_THREADS
	}
	if (!ret && out && !PyErr_Occurred()) {
		PyObject *t = Py_BuildValue("(ss)", "latest",
					    oid_to_hex(&latest));

		if (!t || PyList_Append(out, t) < 0)
			Py_CLEAR(out);
		Py_XDECREF(t);
	}
	registry_free(reg);
	if (ret && !PyErr_Occurred())
		pyquire_raise(ret, &err, "cannot list the versions");
	strbuf_release(&err);
	if (PyErr_Occurred())
		Py_CLEAR(out);
	return out;
}

/* --- hashing files -------------------------------------------------------- */

/*
 * hash_files([(path, hash_type), ...]) -> [value, ...]: each file's hash
 * as a manifest writes it, hashed in parallel without the GIL; None for
 * a path where there is no file, False for one that is no regular file
 * or cannot be read.
 */
static PyObject *py_hash_files(PyObject *self, PyObject *seq)
{
	struct hash_job *jobs;
	PyObject *tuple, *out = NULL;
	Py_ssize_t i, nr;

	tuple = PySequence_Tuple(seq);
	if (!tuple)
		return NULL;
	nr = PyTuple_GET_SIZE(tuple);
	jobs = xcalloc(nr ? nr : 1, sizeof(*jobs));
	for (i = 0; i < nr; i++) {
		PyObject *t = PyTuple_GET_ITEM(tuple, i);
		const char *path, *type;
		enum hash_type ht;

		if (!PyTuple_Check(t) ||
		    !PyArg_ParseTuple(t, "ss", &path, &type)) {
			if (!PyErr_Occurred())
				PyErr_SetString(PyExc_TypeError, "a file to "
						"hash is (path, hash_type)");
			goto out;
		}
		if (hash_type_from_name(type, strlen(type), &ht)) {
			PyErr_Format(pyquire_UsageError, "not a hash type "
				     "quire knows: %s", type);
			goto out;
		}
		hash_job_init(&jobs[i], path, -1, ht);
	}
	Py_BEGIN_ALLOW_THREADS
	hash_files(jobs, nr, 0);
	Py_END_ALLOW_THREADS
	out = PyList_New(nr);
	for (i = 0; out && i < nr; i++) {
		PyObject *v;

		if (jobs[i].ret == QERR_NOTFOUND)
			v = Py_NewRef(Py_None);
		else if (jobs[i].ret)
			v = Py_NewRef(Py_False);
		else
			v = PyUnicode_FromString(oid_to_value(&jobs[i].oid));
		if (!v) {
			Py_CLEAR(out);
			break;
		}
		PyList_SET_ITEM(out, i, v);
	}
out:
	for (i = 0; i < nr; i++)
		if (jobs[i].path)
			hash_job_release(&jobs[i]);
	free(jobs);
	Py_DECREF(tuple);
	return out;
}

static PyMethodDef package_functions[] = {
	{ "hash_files", (PyCFunction)py_hash_files, METH_O,
	  "hash_files([(path, hash_type), ...]) -> [value or None or "
	  "False, ...], hashed in parallel" },
	{ "open", (PyCFunction)(void (*)(void))py_open,
	  METH_VARARGS | METH_KEYWORDS,
	  "open(rev, registry=None) -> Manifest: resolve a revision and "
	  "fetch its manifest (verified) into the user's cache" },
	{ "list_packages", (PyCFunction)(void (*)(void))py_list_packages,
	  METH_VARARGS | METH_KEYWORDS,
	  "list_packages(registry=None) -> [ns/name, ...]" },
	{ "list_package_versions",
	  (PyCFunction)(void (*)(void))py_list_versions,
	  METH_VARARGS | METH_KEYWORDS,
	  "list_package_versions(name, registry=None) -> [(version, "
	  "top_hash), ...]" },
	{ NULL, NULL, 0, NULL }
};

int pyquire_add_package(PyObject *module)
{
	if (PyType_Ready(&manifest_type) < 0 ||
	    PyType_Ready(&entry_iter_type) < 0)
		return -1;
	Py_INCREF(&manifest_type);
	if (PyModule_AddObject(module, "Manifest",
			       (PyObject *)&manifest_type) < 0) {
		Py_DECREF(&manifest_type);
		return -1;
	}
	return PyModule_AddFunctions(module, package_functions);
}
