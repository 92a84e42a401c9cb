#include "quire-compat.h"
#include "serve/route.h"

void page_lineage(struct req *r, const struct target *t)
{
	req_error(r, 0, 404, "lineage is not served yet");
}

void api_lineage(struct req *r, const struct target *t)
{
	req_error(r, 1, 404, "lineage is not served yet");
}

void api_show(struct req *r, const struct target *t)
{
	req_error(r, 1, 404, "show is not served yet");
}

void api_log(struct req *r, const struct target *t)
{
	req_error(r, 1, 404, "log is not served yet");
}
