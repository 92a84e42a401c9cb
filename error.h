#ifndef ERROR_H
#define ERROR_H

/*
 * Library functions return 0 on success or one of these. Only the
 * failures a caller branches on have a name of their own.
 */
enum qerr {
	QERR_GENERIC = -1,
	QERR_NOTFOUND = -2,	/* object, ref, key or package absent */
	QERR_EXISTS = -3,	/* would overwrite */
	QERR_LOCKED = -4,	/* lock held by someone else */
	QERR_STALE = -5,	/* compare-and-swap lost */
	QERR_CORRUPT = -6,	/* bytes do not match hash; bad manifest */
	QERR_USAGE = -7,	/* the caller passed something malformed */
};

#endif
