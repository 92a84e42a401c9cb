#include "quire-compat.h"
#include "serve/route.h"
#include "json.h"
#include "version-log.h"
#include "version-show.h"

/* /api/.../log and /api/<version>: what log --json and show --json print. */

static void send_json(struct req *r, int ret, struct json *j,
		      const struct strbuf *err)
{
	if (ret) {
		req_fail(r, 1, ret, err);
		return;
	}
	json_write_python(&r->body, j);
	strbuf_addch(&r->body, '\n');
	r->type = "application/json";
}

void api_show(struct req *r, const struct target *t)
{
	struct strbuf err = STRBUF_INIT, rev = STRBUF_INIT;
	struct object_id top;
	struct json *j = NULL;
	int ret = version_resolve(r->s, t->name, t->rev, &top, &err);

	strbuf_addf(&rev, "%s@%s", t->name, oid_to_hex(&top));
	if (!ret)
		ret = version_show_json(NULL, serve_registry_arg(r->s),
					rev.buf, &j, &err);
	send_json(r, ret, j, &err);
	json_free(j);
	strbuf_release(&err);
	strbuf_release(&rev);
}

void api_log(struct req *r, const struct target *t)
{
	struct strbuf err = STRBUF_INIT;
	struct json *j = NULL;
	int ret = version_log_json(NULL, serve_registry_arg(r->s), t->name, 0,
				   &j, &err);

	send_json(r, ret, j, &err);
	json_free(j);
	strbuf_release(&err);
}
