#ifndef PYQUIRE_H
#define PYQUIRE_H

/*
 * The _quire extension: CPython over libquire. Every C file of the
 * extension includes this first (Python.h must come before the system
 * headers).
 *
 * Each file but module.c contributes its types and functions through
 * one hook, pyquire_add_<file>(module), called by the module's init in
 * the order below. The hooks are weak, so a file that is not there yet
 * (or not built) is skipped: adding contrib/python/_quire/<file>.c
 * needs no edit of module.c.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "quire-compat.h"
#include "hash.h"
#include "strbuf.h"

#define PYQUIRE_HOOK __attribute__((weak))

int pyquire_add_package(PyObject *module) PYQUIRE_HOOK;	/* package.c */
int pyquire_add_builder(PyObject *module) PYQUIRE_HOOK;	/* builder.c */
int pyquire_add_torch(PyObject *module) PYQUIRE_HOOK;	/* torch.c */
int pyquire_add_fsspec(PyObject *module) PYQUIRE_HOOK;	/* fsspec.c */

/*
 * The exceptions (module.c), all subclasses of QuireError:
 *   NotFoundError  QERR_NOTFOUND
 *   ConflictError  QERR_STALE, QERR_EXISTS, QERR_LOCKED
 *   CorruptError   QERR_CORRUPT
 *   UsageError     QERR_USAGE (also a ValueError)
 */
extern PyObject *pyquire_QuireError;
extern PyObject *pyquire_NotFoundError;
extern PyObject *pyquire_ConflictError;
extern PyObject *pyquire_CorruptError;
extern PyObject *pyquire_UsageError;

/*
 * Raise the exception for qerr (a negative QERR_* code) with err's text
 * (the message the CLI prints after "fatal: "), or what when err is
 * empty. Returns NULL, for "return pyquire_raise(...)".
 */
PyObject *pyquire_raise(int qerr, const struct strbuf *err,
			const char *what);
/* The exception class for qerr. */
PyObject *pyquire_error_class(int qerr);

/*
 * Optional str argument (None or str) as UTF-8: 0 with *out NULL or
 * borrowed from o, -1 with TypeError set.
 */
int pyquire_opt_str(PyObject *o, const char *name, const char **out);

/* A top hash as 64 hex digits (new str). */
PyObject *pyquire_hex(const struct object_id *oid);

/*
 * Read side (package.c), for the other files of the extension: a
 * _quire.Manifest for a verified manifest in the user's cache or a
 * workspace store. pyquire_open_manifest() resolves rev (any revision
 * quire-revisions(7) names) in registry (NULL: the default order) and
 * fetches the manifest; NULL with an exception set.
 */
PyObject *pyquire_open_manifest(const char *rev, const char *registry);

#endif
