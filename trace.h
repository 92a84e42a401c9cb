#ifndef TRACE_H
#define TRACE_H

/*
 * Counters of work done, for tests and profiling: with QUIRE_TRACE set
 * ("1" or "2": stderr; an absolute path: appended to that file), the
 * process prints one line at exit, "trace: <counter> <value> ...".
 * Counting is atomic and cheap; nothing is printed without the variable.
 */
enum trace_counter {
	TRACE_HASHED_FILES,	/* files (or open fds) hashed */
	TRACE_HASHED_BYTES,
	TRACE_READ_FOLDERS,	/* folders listed to find new files (status) */
	TRACE_COUNTERS
};

void trace_add(enum trace_counter c, uint64_t n);

#endif
