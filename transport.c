#include "quire-compat.h"
#include "transport.h"
#include "physical-key.h"
#include <sys/mman.h>

int transport_open(const char *url, unsigned flags, struct transport **out,
		   struct strbuf *err)
{
	struct physical_key pk;
	int ret;

	if (!strncmp(url, "s3://", 5)) {
		strbuf_addf(err, "s3:// registries are not supported by this "
			    "quire yet; use a folder or file:// registry");
		return QERR_USAGE;
	}
	if (!strncmp(url, "file://", 7)) {
		ret = physical_key_parse(&pk, url, strlen(url), err);
		if (ret)
			return ret;
		ret = transport_file_open(pk.path, flags, out, err);
		physical_key_release(&pk);
		return ret;
	}
	if (strstr(url, "://")) {
		strbuf_addf(err, "unsupported registry '%s': use a folder, "
			    "file:// or s3://", url);
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
