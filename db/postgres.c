#include "db/backend.h"
#include "error.h"

/* The PostgreSQL engine behind db.h: being written. */

static int stub_open(const char *where, const char *schema, unsigned flags,
		     struct db **out, struct strbuf *err)
{
	*out = NULL;
	strbuf_addf(err, "cannot open '%s': PostgreSQL is not built yet", where);
	return QERR_USAGE;
}

const struct db_backend db_postgres_backend = {
	.name = "postgresql",
	.quote = '"',
	.open = stub_open,
};
