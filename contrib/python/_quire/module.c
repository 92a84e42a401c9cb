/*
 * The _quire module: its init, the exceptions and the helpers every
 * file of the extension shares (pyquire.h).
 */
#include "pyquire.h"
#include "tempfile.h"

PyObject *pyquire_QuireError;
PyObject *pyquire_NotFoundError;
PyObject *pyquire_ConflictError;
PyObject *pyquire_CorruptError;
PyObject *pyquire_UsageError;

PyObject *pyquire_error_class(int qerr)
{
	switch (qerr) {
	case QERR_NOTFOUND:
		return pyquire_NotFoundError;
	case QERR_STALE:
	case QERR_EXISTS:
	case QERR_LOCKED:
		return pyquire_ConflictError;
	case QERR_CORRUPT:
		return pyquire_CorruptError;
	case QERR_USAGE:
		return pyquire_UsageError;
	default:
		return pyquire_QuireError;
	}
}

PyObject *pyquire_raise(int qerr, const struct strbuf *err, const char *what)
{
	const char *msg = err && err->len ? err->buf : what;
	PyObject *cls = pyquire_error_class(qerr);
	PyObject *text, *exc;

	text = PyUnicode_DecodeUTF8(msg, strlen(msg), "replace");
	if (!text)
		return NULL;
	exc = PyObject_CallOneArg(cls, text);
	Py_DECREF(text);
	if (!exc)
		return NULL;
	if (PyObject_SetAttrString(exc, "code", PyLong_FromLong(qerr)) < 0)
		PyErr_Clear();
	PyErr_SetObject(cls, exc);
	Py_DECREF(exc);
	return NULL;
}

int pyquire_opt_str(PyObject *o, const char *name, const char **out)
{
	*out = NULL;
	if (!o || o == Py_None)
		return 0;
	if (!PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be a str or None, "
			     "not %.100s", name, Py_TYPE(o)->tp_name);
		return -1;
	}
	*out = PyUnicode_AsUTF8(o);
	if (!*out)
		return -1;
	if (strlen(*out) != (size_t)PyUnicode_GET_LENGTH(o) &&
	    memchr(*out, '\0', PyUnicode_GET_LENGTH(o))) {
		PyErr_Format(PyExc_ValueError, "%s holds a NUL character",
			     name);
		return -1;
	}
	return 0;
}

PyObject *pyquire_hex(const struct object_id *oid)
{
	return PyUnicode_FromString(oid_to_hex(oid));
}

static int add_error(PyObject *m, const char *name, PyObject *base,
		     PyObject **out, const char *doc)
{
	char qualified[64];

	snprintf(qualified, sizeof(qualified), "quire.%s", name);
	*out = PyErr_NewExceptionWithDoc(qualified, doc, base, NULL);
	if (!*out)
		return -1;
	Py_INCREF(*out);
	if (PyModule_AddObject(m, name, *out) < 0) {
		Py_DECREF(*out);
		return -1;
	}
	return 0;
}

static int add_errors(PyObject *m)
{
	PyObject *usage_bases;
	int ret;

	if (add_error(m, "QuireError", PyExc_Exception, &pyquire_QuireError,
		      "A quire operation failed; the message is the one "
		      "the quire command prints.") < 0 ||
	    add_error(m, "NotFoundError", pyquire_QuireError,
		      &pyquire_NotFoundError,
		      "A package, version, registry or object is absent.") ||
	    add_error(m, "ConflictError", pyquire_QuireError,
		      &pyquire_ConflictError,
		      "Someone else moved a pointer (latest) or holds a "
		      "lock; the message names both hashes.") ||
	    add_error(m, "CorruptError", pyquire_QuireError,
		      &pyquire_CorruptError,
		      "Bytes do not match their hash, or a manifest is "
		      "malformed."))
		return -1;
	usage_bases = PyTuple_Pack(2, pyquire_QuireError, PyExc_ValueError);
	if (!usage_bases)
		return -1;
	ret = add_error(m, "UsageError", usage_bases, &pyquire_UsageError,
			"The caller passed something malformed.");
	Py_DECREF(usage_bases);
	return ret;
}

static int add_codes(PyObject *m)
{
	static const struct {
		const char *name;
		int code;
	} codes[] = {
		{ "QERR_GENERIC", QERR_GENERIC },
		{ "QERR_NOTFOUND", QERR_NOTFOUND },
		{ "QERR_EXISTS", QERR_EXISTS },
		{ "QERR_LOCKED", QERR_LOCKED },
		{ "QERR_STALE", QERR_STALE },
		{ "QERR_CORRUPT", QERR_CORRUPT },
		{ "QERR_USAGE", QERR_USAGE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(codes); i++)
		if (PyModule_AddIntConstant(m, codes[i].name,
					    codes[i].code) < 0)
			return -1;
	return 0;
}

static int call_hooks(PyObject *m)
{
	int (*hooks[])(PyObject *) = {
		pyquire_add_package,
		pyquire_add_builder,
		pyquire_add_torch,
		pyquire_add_fsspec,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		if (hooks[i] && hooks[i](m) < 0)
			return -1;
	return 0;
}

static struct PyModuleDef quire_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "_quire",
	.m_doc = "quire's library for Python: packages, entries and "
		 "transfers (use the quire package, not this one).",
	.m_size = -1,
};

PyMODINIT_FUNC PyInit__quire(void);
PyMODINIT_FUNC PyInit__quire(void)
{
	PyObject *m = PyModule_Create(&quire_module);

	if (!m)
		return NULL;
	/* Ctrl-C in Python is KeyboardInterrupt: the library takes no signal */
	tempfile_leave_signals();
	if (add_errors(m) < 0 || add_codes(m) < 0 ||
	    PyModule_AddStringConstant(m, "__version__",
				       PYQUIRE_VERSION) < 0 ||
	    call_hooks(m) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
