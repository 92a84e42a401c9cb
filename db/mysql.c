#include "db/backend.h"
#include "error.h"

/* The MySQL engine behind db.h: being written. */

static int stub_open(const char *where, const char *schema, unsigned flags,
		     struct db **out, struct strbuf *err)
{
	*out = NULL;
	strbuf_addf(err, "cannot open '%s': MySQL is not built yet", where);
	return QERR_USAGE;
}

const struct db_backend db_mysql_backend = {
	.name = "mysql",
	.quote = '"',
	.open = stub_open,
};
