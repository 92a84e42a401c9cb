#include "t/unit-tests/unit-test.h"
#include "chunked-hash.h"
#include "strbuf.h"

/* Byte i is i % 251, as in the reference vectors. */
static unsigned char *pattern(size_t len)
{
	unsigned char *p = xmalloc(len ? len : 1);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = i % 251;
	return p;
}

static const char *value_of(const void *data, size_t len, enum hash_type t)
{
	static char out[HASH_HEXSZ + 1];
	struct object_id oid;

	hash_buffer(data, len, t, &oid);
	xsnprintf(out, sizeof(out), "%s", oid_to_value(&oid));
	return out;
}

static void test_part_sizes(void)
{
	/* quilt3's choices (vectors/chunksize.json) */
	check(chunked_hash_part_size(0) == 8388608);
	check(chunked_hash_part_size(1) == 8388608);
	check(chunked_hash_part_size(8388608) == 8388608);
	check(chunked_hash_part_size(83886080000ull) == 8388608);
	check(chunked_hash_part_size(83886080001ull) == 16777216);
	check(chunked_hash_part_size(167772160000ull) == 16777216);
	check(chunked_hash_part_size(167772160001ull) == 33554432);
	check(chunked_hash_part_size(5497558138880ull) == 1073741824);
}

static void test_reference_values(void)
{
	unsigned char *p = pattern(25165831);

	check_str(value_of(p, 0, HASH_SHA2_256_CHUNKED),
		  "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	check_str(value_of(p, 1, HASH_SHA2_256_CHUNKED),
		  "FAbgWIHimTZ3ZtMT4mwFVk7JG/ch0xcmvW5G5gaJU5o=");
	check_str(value_of(p, 8388607, HASH_SHA2_256_CHUNKED),
		  "bqQRV+JaFcU94pfcCQbzVSTJOifYCOX45YrLdBMgfUA=");
	check_str(value_of(p, 8388608, HASH_SHA2_256_CHUNKED),
		  "whpkwkcwr96hravZsp8gSFeGK+8jfS3ufa9dUl1DIT8=");
	check_str(value_of(p, 8388609, HASH_SHA2_256_CHUNKED),
		  "OmHzEEK1X/fcxCt/TNolpgxlag/1Ex0mKs05HJHI8vk=");
	check_str(value_of(p, 25165831, HASH_SHA2_256_CHUNKED),
		  "ZbikG4lobLee6uvaQqcYPgTpW8kSvDCn2wgFlVUMwfU=");
	check_str(value_of(p, 0, HASH_SHA256),
		  "e3b0c44298fc1c149afbf4c8996fb924"
		  "27ae41e4649b934ca495991b7852b855");
	check_str(value_of(p, 16777221, HASH_SHA256),
		  "de44529cece48237d30967c74f61b954"
		  "1b809af36ede33d34537e06b5bd946a5");
	free(p);
}

/* hash_files() with threads and parts must equal the one-shot value. */
static void test_parallel_files(void)
{
	static const size_t sizes[] = { 0, 1, 8388608, 8388609, 25165831 };
	char path[] = "/tmp/u-chunked-hash-XXXXXX";
	struct hash_job jobs[ARRAY_SIZE(sizes) * 2];
	int fds[ARRAY_SIZE(sizes)];
	unsigned char *p = pattern(25165831);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		int fd = mkstemp(path);

		check(fd >= 0);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		check(write_in_full(fd, p, sizes[i]) == (ssize_t)sizes[i]);
		fds[i] = fd;
		hash_job_init(&jobs[2 * i], "chunked", fd,
			      HASH_SHA2_256_CHUNKED);
		hash_job_init(&jobs[2 * i + 1], "whole", fd, HASH_SHA256);
	}
	check(!hash_files(jobs, ARRAY_SIZE(jobs), 3));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct object_id want;

		hash_buffer(p, sizes[i], HASH_SHA2_256_CHUNKED, &want);
		check(oideq(&jobs[2 * i].oid, &want));
		check(jobs[2 * i].size == sizes[i]);
		hash_buffer(p, sizes[i], HASH_SHA256, &want);
		check(oideq(&jobs[2 * i + 1].oid, &want));
		hash_job_release(&jobs[2 * i]);
		hash_job_release(&jobs[2 * i + 1]);
		close(fds[i]);
	}
	free(p);
}

static void test_missing_file(void)
{
	struct hash_job job;

	hash_job_init(&job, "/nonexistent/file", -1, HASH_SHA256);
	check(hash_files(&job, 1, 2) == QERR_NOTFOUND);
	check(strstr(job.err.buf, "/nonexistent/file") != NULL);
	hash_job_release(&job);
}

/*
 * A job reports the stat of the file it read, and whether the file kept
 * it while it was read; a FIFO is no regular file (and is not waited
 * on); a file of one part is hashed without the pool.
 */
static void test_job_stat(void)
{
	char dir[] = "/tmp/u-chunked-hash-XXXXXX";
	struct strbuf path = STRBUF_INIT, fifo = STRBUF_INIT;
	struct hash_job job;
	struct stat st;
	int fd;

	check(mkdtemp(dir) != NULL);
	strbuf_addf(&path, "%s/small", dir);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0 && write(fd, "abc", 3) == 3);
	close(fd);
	check(!stat(path.buf, &st));
	hash_job_init(&job, path.buf, -1, HASH_SHA2_256_CHUNKED);
	check(!hash_files(&job, 1, 0));
	check(job.size == 3);
	check(job.unchanged);
	check(job.st.st_ino == st.st_ino && job.st.st_size == 3);
	check(job.st.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
	hash_job_release(&job);

	strbuf_addf(&fifo, "%s/fifo", dir);
	check(!mkfifo(fifo.buf, 0644));
	hash_job_init(&job, fifo.buf, -1, HASH_SHA2_256_CHUNKED);
	check(hash_files(&job, 1, 0) < 0);
	check(job.not_regular);
	hash_job_release(&job);

	/* a path through a file: no file there, as stat() would say */
	strbuf_addstr(&path, "/below");
	hash_job_init(&job, path.buf, -1, HASH_SHA2_256_CHUNKED);
	check(hash_files(&job, 1, 0) == QERR_NOTFOUND);
	hash_job_release(&job);
	strbuf_setlen(&path, path.len - 6);

	unlink(fifo.buf);
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	strbuf_release(&fifo);
}

static void test_value_parsing(void)
{
	struct object_id oid;
	const char *b64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

	check(!oid_from_value(&oid, HASH_SHA2_256_CHUNKED, b64, strlen(b64)));
	check_str(oid_to_value(&oid), b64);
	/* non-canonical base64 (last char's low bits set) is refused */
	check(oid_from_value(&oid, HASH_SHA2_256_CHUNKED,
			     "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
			     44) < 0);
	check(oid_from_value(&oid, HASH_SHA2_256_CHUNKED, "abc", 3) < 0);
	check(oid_from_value(&oid, HASH_SHA256, "e3b0", 4) < 0);
	check(!oid_parse_arg(&oid, "SHA256:e3b0c44298fc1c149afbf4c8996fb924"
			     "27ae41e4649b934ca495991b7852b855",
			     HASH_MANIFEST));
	check(oid.type == HASH_SHA256);
	check(oid_parse_arg(&oid, "md5:00", HASH_SHA256) < 0);
}

int main(void)
{
	test_part_sizes();
	test_reference_values();
	test_parallel_files();
	test_missing_file();
	test_job_stat();
	test_value_parsing();
	return unit_test_done();
}
