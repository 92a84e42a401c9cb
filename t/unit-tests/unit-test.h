#ifndef UNIT_TEST_H
#define UNIT_TEST_H

/*
 * A tiny TAP producer for C unit tests: each check prints "ok N - what" or
 * "not ok N - what"; unit_test_done() prints the plan and returns the exit
 * code (1 when anything failed).
 */
#include "quire-compat.h"

int unit_test_check(int ok, const char *file, int line, const char *what);
int unit_test_check_str(const char *got, const char *want, const char *file,
			int line, const char *what);
int unit_test_done(void);

#define check(cond) unit_test_check(!!(cond), __FILE__, __LINE__, #cond)
#define check_str(got, want) \
	unit_test_check_str((got), (want), __FILE__, __LINE__, #got)

#endif
