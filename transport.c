#include "quire-compat.h"
#include "transport.h"
#include "physical-key.h"
#include "redact.h"
#include <sys/mman.h>

int transport_open(const char *url, unsigned flags, struct transport **out,
		   struct strbuf *err)
{
	struct physical_key pk;
	int ret;

	if (!strncmp(url, "s3://", 5))
		return transport_s3_open(url, flags, out, err);
	if (!strncmp(url, "file://", 7)) {
		ret = physical_key_parse(&pk, url, strlen(url), err);
		if (ret)
			return ret;
		ret = transport_file_open(pk.path, flags, out, err);
		physical_key_release(&pk);
		return ret;
	}
	if (strstr(url, "://")) {
		strbuf_addstr(err, "unsupported registry '");
		redact_url(err, url);
		strbuf_addstr(err, "': use a folder, file:// or s3://");
		return QERR_USAGE;
	}
	return transport_file_open(url, flags, out, err);
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	t->ops->free(t);
	free(t->url);
	free(t->path);
	free(t);
}

int transport_get_small(struct transport *t, const char *key,
			struct strbuf *out, size_t max, struct strbuf *err)
{
	int fd = memfd_create("quire-small", MFD_CLOEXEC), ret;

	if (fd < 0) {
		strbuf_addf(err, "cannot create a memory file: %s",
			    strerror(errno));
		return QERR_GENERIC;
	}
	ret = t->ops->get(t, key, fd, err);
	if (!ret) {
		lseek(fd, 0, SEEK_SET);
		ret = strbuf_read_fd_max(out, fd, max);
		if (ret == QERR_CORRUPT)
			strbuf_addf(err, "'%s' is larger than expected", key);
		else if (ret)
			strbuf_addf(err, "cannot read '%s'", key);
	}
	close(fd);
	return ret;
}

int transport_conditional(struct transport *t, struct strbuf *err)
{
	if (t->conditional < 0)
		t->conditional = t->ops->conditional(t, err);
	return t->conditional;
}

void transfer_init(struct transfer *x, const char *key, int fd)
{
	memset(x, 0, sizeof(*x));
	x->key = key;
	x->fd = fd;
	x->size = TRANSFER_SIZE_UNKNOWN;
	strbuf_init(&x->version_id, 0);
	strbuf_init(&x->etag, 0);
	strbuf_init(&x->err, 0);
}

void transfer_release(struct transfer *x)
{
	strbuf_release(&x->version_id);
	strbuf_release(&x->etag);
	strbuf_release(&x->err);
}

static int first_failure(struct transfer *x, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (x[i].ret)
			return x[i].ret;
	return 0;
}

int transport_get_many(struct transport *t, struct transfer *x, size_t nr)
{
	size_t i;

	if (t->ops->get_many)
		return t->ops->get_many(t, x, nr);
	for (i = 0; i < nr; i++)
		x[i].ret = t->ops->get(t, x[i].key, x[i].fd, &x[i].err);
	return first_failure(x, nr);
}

static void put_all(struct transport *t, struct transfer *x, size_t nr)
{
	size_t i;

	if (t->ops->put_many) {
		t->ops->put_many(t, x, nr);
		return;
	}
	for (i = 0; i < nr; i++)
		x[i].ret = t->ops->put(t, x[i].key, x[i].fd, x[i].expect,
				       x[i].flags, &x[i].version_id,
				       &x[i].err);
}

/*
 * For a transport that reads descriptors only: the files named by path,
 * opened a chunk at a time, so that a large batch does not run out of
 * descriptors.
 */
#define PUT_OPEN_MAX 256

static void put_chunk(struct transport *t, struct transfer *x, size_t nr)
{
	struct transfer *y = xcalloc(nr, sizeof(*y));
	size_t *from = xcalloc(nr, sizeof(*from));
	size_t i, m = 0;

	for (i = 0; i < nr; i++) {
		y[m] = x[i];
		if (x[i].fd < 0 && x[i].path) {
			y[m].fd = open(x[i].path, O_RDONLY | O_NONBLOCK |
				       O_CLOEXEC);
			if (y[m].fd < 0) {
				strbuf_addf(&x[i].err, "cannot read '%s': %s",
					    x[i].path, strerror(errno));
				x[i].ret = QERR_GENERIC;
				continue;
			}
		}
		from[m++] = i;
	}
	put_all(t, y, m);
	for (i = 0; i < m; i++) {
		if (y[i].fd != x[from[i]].fd)
			close(y[i].fd);
		y[i].fd = x[from[i]].fd;
		x[from[i]] = y[i];
	}
	free(y);
	free(from);
}

int transport_put_many(struct transport *t, struct transfer *x, size_t nr)
{
	size_t i, n;

	if (t->put_paths) {
		put_all(t, x, nr);
		return first_failure(x, nr);
	}
	for (i = 0; i < nr; i += n) {
		n = nr - i < PUT_OPEN_MAX ? nr - i : PUT_OPEN_MAX;
		put_chunk(t, x + i, n);
	}
	return first_failure(x, nr);
}

int transport_stat_many(struct transport *t, struct transfer *x, size_t nr)
{
	size_t i;

	if (t->ops->stat_many)
		return t->ops->stat_many(t, x, nr);
	for (i = 0; i < nr; i++) {
		x[i].has_hash = 0;
		x[i].ret = t->ops->head(t, x[i].key, &x[i].size, &x[i].err);
	}
	return first_failure(x, nr);
}
