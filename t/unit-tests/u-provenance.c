#include "quire-compat.h"
#include "t/unit-tests/unit-test.h"
#include "json.h"
#include "provenance.h"
#include "run-command.h"

static struct strbuf out = STRBUF_INIT;
static struct strbuf err = STRBUF_INIT;

/* "<registry>|<rev>", "-|<rev>" without a registry, or "ERROR". */
static const char *split(const char *arg)
{
	char *reg, *rev;

	strbuf_reset(&out);
	strbuf_reset(&err);
	if (provenance_parent_parse(arg, &reg, &rev, &err) < 0)
		return err.len ? "ERROR" : "ERROR without a message";
	strbuf_addf(&out, "%s|%s", reg ? reg : "-", rev);
	free(reg);
	free(rev);
	return out.buf;
}

static void test_parent_parse(void)
{
	check_str(split("ns/a"), "-|ns/a");
	check_str(split("ns/a:v1"), "-|ns/a:v1");
	check_str(split("origin#ns/a@abcdef"), "origin|ns/a@abcdef");
	check_str(split("/x/my#reg#ns/a"), "/x/my#reg|ns/a");
	check_str(split("s3://b/p#ns/a"), "s3://b/p|ns/a");
	check_str(split("quilt+s3://b#package=ns/a@abcdef"),
		  "s3://b|ns/a@abcdef");
	check_str(split("quilt+s3://b#catalog=x&package=ns/a&path=k"),
		  "s3://b|ns/a");
	check_str(split("quilt+s3://b#package=ns/a:latest"), "s3://b|ns/a");
	check_str(split("quilt+s3://b#package=ns/a:v2"), "s3://b|ns/a:v2");
	check_str(split("s3://b#package=ns/a"), "s3://b|ns/a");
	check_str(split("quilt+s3://b"), "ERROR");
	check_str(split("quilt+s3://b#path=k"), "ERROR");
	check_str(split("#ns/a"), "ERROR");
}

static struct json *parse(const char *s)
{
	struct json *j = NULL;

	strbuf_reset(&err);
	if (json_parse(s, strlen(s), &j, &err) < 0)
		return NULL;
	return j;
}

static void test_has(void)
{
	struct json *p = parse("{\"a\": null, \"b\": \"\", \"c\": [], "
			       "\"d\": {}, \"e\": false, \"f\": 0, "
			       "\"g\": {\"h\": \"x\", \"i\": [1]}}");

	check(p);
	check(!provenance_has(p, "a"));
	check(!provenance_has(p, "b"));
	check(!provenance_has(p, "c"));
	check(!provenance_has(p, "d"));
	check(provenance_has(p, "e"));
	check(provenance_has(p, "f"));
	check(provenance_has(p, "g"));
	check(provenance_has(p, "g.h"));
	check(provenance_has(p, "g.i"));
	check(!provenance_has(p, "g.x"));
	check(!provenance_has(p, "g.h.x"));
	check(!provenance_has(p, "nope"));
	check(!provenance_has(NULL, "g"));
	json_free(p);
}

static const char *required(const char *prov_json, const char *fields)
{
	struct string_list req = STRING_LIST_INIT;
	struct json *p = prov_json ? parse(prov_json) : NULL;
	const char *f = fields, *sp;
	char *one;
	int ret;

	while (*f) {
		sp = strchr(f, ' ');
		one = sp ? xstrndup(f, sp - f) : xstrdup(f);
		string_list_append(&req, one);
		free(one);
		f = sp ? sp + 1 : f + strlen(f);
	}
	strbuf_reset(&err);
	ret = provenance_check_required(p, &req, "R", &err);
	string_list_clear(&req);
	json_free(p);
	if (!ret)
		return "ok";
	return err.buf;
}

static void test_required(void)
{
	check_str(required("{\"inputs\": [{\"url\": \"u\"}]}", "inputs"),
		  "ok");
	check_str(required(NULL, "source.commit inputs"),
		  "R requires provenance: source.commit, inputs; record them "
		  "with 'quire commit --source-commit ... --input ...'");
	check_str(required("{\"source\": {\"commit\": \"\"}}",
			   "source.commit source.url"),
		  "R requires provenance: source.commit, source.url; record "
		  "them with 'quire commit --source-commit ... "
		  "--source-url ...'");
	check_str(required("{}", "parents parents.0 environment.image "
				 "environment"),
		  "R requires provenance: parents, parents.0, "
		  "environment.image, environment; record them with 'quire "
		  "commit --parent ... --env image=... --env ...'");
	check_str(required("{}", "workflow"),
		  "R requires provenance: workflow; record them in the "
		  "package's \"provenance\" (see quire-commit(1))");
}

static const char *members(const struct json *o)
{
	size_t i;

	strbuf_reset(&out);
	for (i = 0; i < o->u.obj.nr; i++)
		strbuf_addf(&out, "%s%s", i ? " " : "", o->u.obj.m[i].key);
	return out.buf;
}

static void test_add_input(void)
{
	struct json *p = parse("{\"x\": 1, \"environment\": {\"k\": \"v\"}, "
			       "\"parents\": []}");
	const struct json *in;
	char tmpl[] = "/tmp/u-provenance-XXXXXX";
	int fd = mkstemp(tmpl);

	check(fd >= 0 && write(fd, "abc", 3) == 3);
	close(fd);
	check(!provenance_add_input(p, "https://a:b@h/x?y", &err));
	check_str(members(p), "parents inputs environment x");
	check(!provenance_add_input(p, tmpl, &err));
	in = json_object_get(p, "inputs");
	check(in && in->u.arr.nr == 2);
	strbuf_reset(&out);
	json_write_python(&out, in->u.arr.v[0]);
	check_str(out.buf, "{\"url\": \"https://h/x?y\"}");
	strbuf_reset(&out);
	json_write_python(&out, json_object_get(in->u.arr.v[1], "size"));
	check_str(out.buf, "3");
	strbuf_reset(&out);
	json_write_python(&out, json_object_get(in->u.arr.v[1], "hash"));
	/* base64(sha256(sha256("abc"))): one part */
	check_str(out.buf, "{\"type\": \"sha2-256-chunked\", \"value\": "
		  "\"T4tCwi3TcptRm6b2jS2nzFstYG0F2u1a1RKMwD5sY1g=\"}");
	strbuf_reset(&err);
	check(provenance_add_input(p, "/nonexistent/x", &err) ==
	      QERR_NOTFOUND && err.len);
	strbuf_reset(&err);
	check(provenance_add_input(p, "/tmp", &err) == QERR_USAGE && err.len);
	check(json_object_get(p, "inputs")->u.arr.nr == 2);
	unlink(tmpl);
	json_free(p);
}

static void test_run_command(void)
{
	const char *echo[] = { "printf", "a\\nb", NULL };
	const char *fail[] = { "sh", "-c", "echo x; exit 3", NULL };
	const char *none[] = { "quire-no-such-program", NULL };
	const char *big[] = { "head", "-c", "100000", "/dev/zero", NULL };

	strbuf_reset(&out);
	check(run_command_capture(echo, 0, &out, 100, &err) == 0);
	check_str(out.buf, "a\nb");
	strbuf_reset(&out);
	check(run_command_capture(fail, 0, &out, 100, &err) == 3);
	check_str(out.buf, "x\n");
	strbuf_reset(&err);
	check(run_command_capture(none, 0, &out, 100, &err) == QERR_NOTFOUND);
	check(strstr(err.buf, "cannot run 'quire-no-such-program'"));
	strbuf_reset(&out);
	strbuf_reset(&err);
	check(run_command_capture(big, 0, &out, 1000, &err) == QERR_CORRUPT);
	check(out.len <= 1000 && err.len);
}

int main(void)
{
	test_parent_parse();
	test_has();
	test_required();
	test_add_input();
	test_run_command();
	return unit_test_done();
}
