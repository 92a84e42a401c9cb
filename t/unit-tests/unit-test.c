#include "t/unit-tests/unit-test.h"

static int count, failed;

int unit_test_check(int ok, const char *file, int line, const char *what)
{
	count++;
	printf("%sok %d - %s:%d: %s\n", ok ? "" : "not ", count, file, line,
	       what);
	if (!ok)
		failed++;
	return ok;
}

int unit_test_check_str(const char *got, const char *want, const char *file,
			int line, const char *what)
{
	int ok = !strcmp(got, want);

	if (!ok)
		printf("# got:  '%s'\n# want: '%s'\n", got, want);
	return unit_test_check(ok, file, line, what);
}

int unit_test_done(void)
{
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
