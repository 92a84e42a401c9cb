#ifndef QUIRE_COMPAT_H
#define QUIRE_COMPAT_H

/* Every .c file includes this first. */
#define _GNU_SOURCE 1
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* qsort that accepts an empty (NULL) array. */
#define QSORT(base, n, cmp) \
	do { \
		if ((n) > 1) \
			qsort((base), (n), sizeof(*(base)), (cmp)); \
	} while (0)

#ifdef __GNUC__
#define NORETURN __attribute__((__noreturn__))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define MAYBE_UNUSED __attribute__((__unused__))
#else
#define NORETURN
#define PRINTF_LIKE(f, a)
#define MAYBE_UNUSED
#endif

#include "wrapper.h"
#include "usage.h"
#include "error.h"
#include "banned.h"

#endif
