#include "quire-compat.h"
#include "t/fuzz/fuzz.h"
#include "strbuf.h"
#include "string-list.h"
#include <dirent.h>

/*
 * Replay a fuzz target's corpus without libFuzzer: the empty input, then
 * every file of each folder (or each file) named on the command line, go
 * through LLVMFuzzerTestOneInput once, each with a TAP line "ok N -
 * <file>". With no arguments, the corpus is the folder of the target
 * the binary is named after: fuzz-json reads FUZZ_CORPUS_ROOT/json. A
 * crash or a failed invariant aborts the run, which prove reports as a
 * failed test.
 */

#ifndef FUZZ_CORPUS_ROOT
#define FUZZ_CORPUS_ROOT "t/fuzz/corpus"
#endif

/* Fuzz inputs are small; anything bigger is not a corpus file. */
#define REPLAY_FILE_MAX (16u << 20)

static int count;

/*
 * An exact-size copy, as libFuzzer gives, so that a sanitizer build
 * ("make asan") sees a read past the end of the input.
 */
static void replay_buf(const char *name, const char *buf, size_t len)
{
	char *copy = xmalloc(len ? len : 1);

	memcpy(copy, buf, len);
	LLVMFuzzerTestOneInput((const uint8_t *)copy, len);
	free(copy);
	printf("ok %d - %s\n", ++count, name);
	fflush(stdout);
}

static int replay_file(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file_max(&sb, path, REPLAY_FILE_MAX) < 0) {
		printf("not ok %d - %s: cannot read: %s\n", ++count, path,
		       strerror(errno));
		strbuf_release(&sb);
		return -1;
	}
	replay_buf(path, sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir)
{
	struct string_list files = STRING_LIST_INIT;
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t i;
	int ret = 0;

	if (!d) {
		printf("not ok %d - %s: cannot open: %s\n", ++count, dir,
		       strerror(errno));
		return -1;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			string_list_append(&files, de->d_name);
	closedir(d);
	QSORT(files.items, files.nr, name_cmp);
	for (i = 0; i < files.nr; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, files.items[i]);
		if (replay_file(path.buf) < 0)
			ret = -1;
	}
	strbuf_release(&path);
	string_list_clear(&files);
	return ret;
}

/* FUZZ_CORPUS_ROOT/<target> for a binary named [.../]fuzz-<target>. */
static void default_corpus(struct strbuf *out, const char *argv0)
{
	const char *name = strrchr(argv0, '/');

	name = name ? name + 1 : argv0;
	if (!strncmp(name, "fuzz-", 5))
		name += 5;
	strbuf_addf(out, "%s/%s", FUZZ_CORPUS_ROOT, name);
}

int main(int argc, const char **argv)
{
	struct strbuf corpus = STRBUF_INIT;
	const char *deflt[1];
	const char **args = argv + 1;
	int i, n = argc - 1, ret = 0;
	struct stat st;

	if (n < 1) {
		default_corpus(&corpus, argv[0]);
		deflt[0] = corpus.buf;
		args = deflt;
		n = 1;
	}
	replay_buf("(empty input)", "", 0);
	for (i = 0; i < n; i++) {
		if (!stat(args[i], &st) && S_ISDIR(st.st_mode))
			ret |= replay_dir(args[i]);
		else
			ret |= replay_file(args[i]);
	}
	printf("1..%d\n", count);
	strbuf_release(&corpus);
	return ret ? 1 : 0;
}
