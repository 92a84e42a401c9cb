#include "quire-compat.h"
#include "ignore.h"
#include "tempfile.h"
#include "disk-full.h"
#include <ctype.h>

#define IGNORE_FILE_MAX (1u << 24)	/* bytes of one ignore file */

/* ignore_wildmatch()'s inner answers, as in git's wildmatch */
#define WM_MATCH 0
#define WM_NOMATCH 1
#define WM_ABORT_ALL (-1)	/* no later start of the text can match */
#define WM_ABORT_TO_STARSTAR (-2)	/* only an outer "**" can go on */

static int class_has(const unsigned char *s, size_t len, unsigned char c,
		     int *ok)
{
	static const struct {
		const char *name;
		int (*fn)(int);
	} classes[] = {
		{ "alnum", isalnum }, { "alpha", isalpha },
		{ "blank", isblank }, { "cntrl", iscntrl },
		{ "digit", isdigit }, { "graph", isgraph },
		{ "lower", islower }, { "print", isprint },
		{ "punct", ispunct }, { "space", isspace },
		{ "upper", isupper }, { "xdigit", isxdigit },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		if (strlen(classes[i].name) == len &&
		    !memcmp(classes[i].name, s, len)) {
			*ok = 1;
			return !!classes[i].fn(c);
		}
	}
	*ok = 0;	/* an unknown class: the pattern is malformed */
	return 0;
}

/*
 * A bracket expression at *pp ('['), against c: 1 it holds c, 0 it does
 * not, -1 malformed. *pp is left on its closing ']'.
 */
static int bracket(const unsigned char **pp, unsigned char c)
{
	const unsigned char *p = *pp + 1;
	unsigned char prev = 0, pc;
	int negate = 0, matched = 0, ok;

	if (*p == '!' || *p == '^') {
		negate = 1;
		p++;
	}
	/* a ']' first is a ']', not the end */
	for (pc = *p;; prev = pc, pc = *++p) {
		if (!pc)
			return -1;
		if (pc == ']' && p != *pp + 1 + negate)
			break;
		if (pc == '\\') {
			pc = *++p;
			if (!pc)
				return -1;
			if (c == pc)
				matched = 1;
		} else if (pc == '-' && prev && p[1] && p[1] != ']') {
			pc = *++p;
			if (pc == '\\') {
				pc = *++p;
				if (!pc)
					return -1;
			}
			if (c >= prev && c <= pc)
				matched = 1;
			pc = 0;		/* a range does not start a range */
		} else if (pc == '[' && p[1] == ':') {
			const unsigned char *s = p + 2, *e = s;

			while (*e && *e != ']')
				e++;
			if (!*e)
				return -1;
			if (e - s < 1 || e[-1] != ':') {
				/* no ":]": a plain '[' */
				if (c == '[')
					matched = 1;
				continue;
			}
			if (class_has(s, e - s - 1, c, &ok))
				matched = 1;
			if (!ok)
				return -1;
			p = e;
			pc = 0;
		} else if (c == pc) {
			matched = 1;
		}
	}
	*pp = p;
	return matched != negate;
}

static int wm(const unsigned char *p, const unsigned char *t,
	      const unsigned char *start);

/* After a '*' (match_slash: a "**" that may cross folders). */
static int star(const unsigned char *p, const unsigned char *t,
		const unsigned char *start, int match_slash)
{
	int m;

	if (!*p) {
		if (!match_slash && strchr((const char *)t, '/'))
			return WM_ABORT_TO_STARSTAR;
		return WM_MATCH;
	}
	if (!match_slash && *p == '/') {
		/* the star stops at the next '/' */
		const char *slash = strchr((const char *)t, '/');

		if (!slash)
			return WM_NOMATCH;
		return wm(p, (const unsigned char *)slash, start);
	}
	for (; *t; t++) {
		m = wm(p, t, start);
		if (m != WM_NOMATCH) {
			if (!match_slash || m != WM_ABORT_TO_STARSTAR)
				return m;
		} else if (!match_slash && *t == '/') {
			return WM_ABORT_TO_STARSTAR;
		}
	}
	return WM_ABORT_ALL;
}

static int wm(const unsigned char *p, const unsigned char *t,
	      const unsigned char *start)
{
	const unsigned char *first;
	int r, match_slash;

	for (; *p; p++, t++) {
		if (!*t && *p != '*')
			return WM_ABORT_ALL;
		switch (*p) {
		case '\\':
			/* a trailing backslash matches nothing */
			if (!*++p)
				return WM_ABORT_ALL;
			if (*t != *p)
				return WM_NOMATCH;
			break;
		case '?':
			if (*t == '/')
				return WM_NOMATCH;
			break;
		case '*':
			first = p;
			while (p[1] == '*')
				p++;
			/* "**" alone between slashes crosses folders */
			match_slash = p > first &&
				      (first == start || first[-1] == '/') &&
				      (!p[1] || p[1] == '/' ||
				       (p[1] == '\\' && p[2] == '/'));
			if (match_slash && p[1] == '/' &&
			    wm(p + 2, t, start) == WM_MATCH)
				return WM_MATCH;	/* "**\/" as none */
			return star(p + 1, t, start, match_slash);
		case '[':
			if (*t == '/')
				return WM_NOMATCH;
			r = bracket(&p, *t);
			if (r < 0)
				return WM_ABORT_ALL;
			if (!r)
				return WM_NOMATCH;
			break;
		default:
			if (*t != *p)
				return WM_NOMATCH;
		}
	}
	return *t ? WM_NOMATCH : WM_MATCH;
}

int ignore_wildmatch(const char *pattern, const char *text)
{
	const unsigned char *p = (const unsigned char *)pattern;

	return wm(p, (const unsigned char *)text, p) == WM_MATCH ? 0 : 1;
}

/*
 * Trailing spaces go, unless escaped with a backslash (git's rule; a
 * line that ends in a backslash keeps them all).
 */
static size_t trim_spaces(const char *s, size_t len)
{
	size_t i, space = len;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ') {
			if (space == len)
				space = i;
		} else if (s[i] == '\\') {
			if (++i == len)
				return len;
			space = len;
		} else {
			space = len;
		}
	}
	return space;
}

static int has_wild(const char *s)
{
	return !!strpbrk(s, "*?[\\");
}

static void add_pattern(struct ignore_list *l, const char *s, size_t len,
			int line)
{
	struct ignore_pattern *p;
	unsigned flags = 0;

	len = trim_spaces(s, len);
	if (!len || s[0] == '#')
		return;
	if (s[0] == '!') {
		flags |= IGNORE_NEGATIVE;
		s++;
		len--;
	}
	if (len && s[len - 1] == '/') {
		flags |= IGNORE_DIR_ONLY;
		len--;
	}
	if (!len)
		return;
	if (!memchr(s, '/', len))
		flags |= IGNORE_BASENAME;
	ALLOC_GROW(l->p, l->nr + 1, l->alloc);
	p = &l->p[l->nr++];
	p->text = xstrndup(s, len);
	p->match = p->text + (p->text[0] == '/');
	p->match_len = strlen(p->match);
	if (!has_wild(p->match))
		flags |= IGNORE_LITERAL;
	else if ((flags & IGNORE_BASENAME) && p->match[0] == '*' &&
		 !has_wild(p->match + 1))
		flags |= IGNORE_SUFFIX;
	p->flags = flags;
	p->line = line;
}

static struct ignore_list *parse_list(const char *buf, size_t len,
				      const char *src, size_t base_len)
{
	struct ignore_list *l = xcalloc(1, sizeof(*l));
	const char *end = buf + len, *nl;
	int line = 0;

	l->src = xstrdup(src);
	l->base_len = base_len;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		buf += 3;	/* a UTF-8 byte order mark */
	for (; buf < end; buf = nl + 1) {
		nl = memchr(buf, '\n', end - buf);
		if (!nl)
			nl = end;
		add_pattern(l, buf, nl - buf, ++line);
	}
	return l;
}

static void free_list(struct ignore_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr; i++)
		free(l->p[i].text);
	free(l->p);
	free(l->src);
	free(l);
}

static uint64_t file_sig(const struct stat *st)
{
	uint64_t h = 14695981039346656037ull, v[4];
	size_t i;

	v[0] = st->st_ino;
	v[1] = st->st_size;
	v[2] = (uint64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	v[3] = (uint64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	for (i = 0; i < 4; i++)
		h = (h ^ v[i]) * 1099511628211ull;
	return h | 1;	/* never 0: 0 is "no file" */
}

/* Read the ignore file of the folder dfd into the top level, if any. */
static void load_at(struct ignore *ig, int dfd)
{
	struct ignore_level *lv = &ig->levels[ig->nr - 1];
	struct strbuf buf = STRBUF_INIT, src = STRBUF_INIT;
	struct stat st;
	int fd = openat(dfd, IGNORE_FILE, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    strbuf_read_fd_max(&buf, fd, IGNORE_FILE_MAX) < 0) {
		close(fd);
		strbuf_release(&buf);
		return;		/* unreadable: as none */
	}
	close(fd);
	strbuf_addf(&src, "%s" IGNORE_FILE, ig->path.buf);
	lv->list = parse_list(buf.buf, buf.len, src.buf, ig->path.len);
	lv->sig = file_sig(&st);
	strbuf_release(&buf);
	strbuf_release(&src);
}

void ignore_init(struct ignore *ig, const char *root)
{
	struct ignore blank = IGNORE_INIT;

	*ig = blank;
	ig->root = xstrdup(root);
}

static void pop_all(struct ignore *ig)
{
	while (ig->nr)
		ignore_leave(ig);
	strbuf_reset(&ig->path);
}

void ignore_release(struct ignore *ig)
{
	pop_all(ig);
	free(ig->levels);
	free(ig->root);
	strbuf_release(&ig->path);
	strbuf_release(&ig->scratch);
	memset(ig, 0, sizeof(*ig));
	strbuf_init(&ig->path, 0);
	strbuf_init(&ig->scratch, 0);
}

static void push_level(struct ignore *ig)
{
	ALLOC_GROW(ig->levels, ig->nr + 1, ig->alloc);
	ig->levels[ig->nr].path_len = ig->path.len;
	ig->levels[ig->nr].list = NULL;
	ig->levels[ig->nr].sig = 0;
	ig->nr++;
}

void ignore_enter(struct ignore *ig, int dfd, const char *name, int probe)
{
	push_level(ig);
	strbuf_addstr(&ig->path, name);
	strbuf_addch(&ig->path, '/');
	if (probe && dfd >= 0)
		load_at(ig, dfd);
}

void ignore_leave(struct ignore *ig)
{
	struct ignore_level *lv;

	if (!ig->nr)
		BUG("ignore_leave() with no folder entered");
	lv = &ig->levels[--ig->nr];
	strbuf_setlen(&ig->path, lv->path_len);
	free_list(lv->list);
	lv->list = NULL;
}

int ignore_any(const struct ignore *ig)
{
	size_t i;

	for (i = 0; i < ig->nr; i++)
		if (ig->levels[i].list)
			return 1;
	return 0;
}

uint64_t ignore_sig(const struct ignore *ig)
{
	return ig->nr ? ig->levels[ig->nr - 1].sig : 0;
}

static uint64_t mix_sig(uint64_t a, uint64_t b)
{
	return (a ^ b) * 0x9e3779b97f4a7c15ull + 1;
}

int ignore_begin(struct ignore *ig, const char *rel,
		 const struct ignore_pattern **hit,
		 const struct ignore_list **from)
{
	struct strbuf part = STRBUF_INIT;
	const struct ignore_pattern *p;
	const struct ignore_list *f;
	int dfd, sub, excluded = 0;
	const char *c = rel, *slash;

	pop_all(ig);
	ig->begin_sig = 0;
	dfd = open(ig->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	push_level(ig);
	if (dfd >= 0)
		load_at(ig, dfd);
	ig->begin_sig = mix_sig(0, ignore_sig(ig));
	while (*c) {
		slash = strchr(c, '/');
		strbuf_reset(&part);
		strbuf_add(&part, c, slash ? (size_t)(slash - c) : strlen(c));
		c = slash ? slash + 1 : c + part.len;
		if (!part.len)
			continue;
		p = excluded ? NULL : ignore_lookup(ig, part.buf, 1, &f);
		if (p && !(p->flags & IGNORE_NEGATIVE)) {
			excluded = 1;
			if (hit)
				*hit = p;
			if (from)
				*from = f;
		}
		sub = dfd < 0 ? -1 : openat(dfd, part.buf, O_RDONLY |
					   O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0)
			close(dfd);
		dfd = sub;
		ignore_enter(ig, dfd, part.buf, 1);
		ig->begin_sig = mix_sig(ig->begin_sig, ignore_sig(ig));
	}
	if (dfd >= 0)
		close(dfd);
	strbuf_release(&part);
	return excluded;
}

static int pattern_matches(const struct ignore_pattern *p, const char *name,
			   size_t nlen, const char *rel, int is_dir)
{
	size_t mlen = p->match_len;

	if ((p->flags & IGNORE_DIR_ONLY) && !is_dir)
		return 0;
	if (p->flags & IGNORE_BASENAME) {
		if (p->flags & IGNORE_LITERAL)
			return nlen == mlen && !memcmp(name, p->match, mlen);
		if (p->flags & IGNORE_SUFFIX)
			return nlen >= mlen - 1 &&
			       !memcmp(name + nlen - (mlen - 1), p->match + 1,
				       mlen - 1);
		return !ignore_wildmatch(p->match, name);
	}
	if (p->flags & IGNORE_LITERAL)
		return !strcmp(rel, p->match);
	return !ignore_wildmatch(p->match, rel);
}

const struct ignore_pattern *ignore_lookup(struct ignore *ig,
					   const char *name, int is_dir,
					   const struct ignore_list **from)
{
	size_t i, j, nlen = strlen(name);
	int built = 0;

	for (i = ig->nr; i-- > 0;) {
		struct ignore_list *l = ig->levels[i].list;

		if (!l)
			continue;
		for (j = l->nr; j-- > 0;) {
			const struct ignore_pattern *p = &l->p[j];

			if (!built && !(p->flags & IGNORE_BASENAME)) {
				strbuf_reset(&ig->scratch);
				strbuf_addbuf(&ig->scratch, &ig->path);
				strbuf_add(&ig->scratch, name, nlen);
				built = 1;
			}
			if (!pattern_matches(p, name, nlen,
					     built ? ig->scratch.buf +
					     l->base_len : NULL, is_dir))
				continue;
			if (from)
				*from = l;
			return p;
		}
	}
	return NULL;
}

int ignore_excluded(struct ignore *ig, const char *name, int is_dir)
{
	const struct ignore_pattern *p = ignore_lookup(ig, name, is_dir, NULL);

	return p && !(p->flags & IGNORE_NEGATIVE);
}

const struct ignore_pattern *ignore_path(struct ignore *ig, const char *rel,
					 int is_dir,
					 const struct ignore_list **from)
{
	const struct ignore_pattern *hit = NULL;
	const char *slash = strrchr(rel, '/');
	char *dir = xstrndup(rel, slash ? (size_t)(slash - rel) : 0);

	if (!ignore_begin(ig, dir, &hit, from) && *(slash ? slash + 1 : rel))
		hit = ignore_lookup(ig, slash ? slash + 1 : rel, is_dir, from);
	free(dir);
	return hit;
}

void ignore_root_of(const char *ws_root, const char *abspath, int is_dir,
		    const char **root, const char **rel)
{
	size_t len = strlen(ws_root);

	if (len == 1 && ws_root[0] == '/') {
		*root = ws_root;
		*rel = abspath + 1;
	} else if (!strncmp(abspath, ws_root, len) &&
		   (abspath[len] == '/' || !abspath[len])) {
		*root = ws_root;
		*rel = abspath[len] ? abspath + len + 1 : "";
	} else {
		*root = is_dir ? abspath : NULL;
		*rel = "";
	}
}

const char ignore_default_text[] =
	"# What 'quire add' and 'quire status' pass over, in gitignore's\n"
	"# syntax (see quire-ignore(5)). Files already staged stay staged;\n"
	"# 'quire add -f' adds an ignored file. This file stays out of the\n"
	"# package too; delete the next line to publish it with the data.\n"
	"/.quireignore\n"
	".git/\n"
	".hg/\n"
	".svn/\n"
	".dvc/\n"
	"__pycache__/\n"
	"*.py[cod]\n"
	".ipynb_checkpoints/\n"
	".venv/\n"
	".tox/\n"
	".mypy_cache/\n"
	".pytest_cache/\n"
	".DS_Store\n"
	"Thumbs.db\n"
	"desktop.ini\n"
	"*.swp\n"
	"*.swo\n"
	"*~\n";

/* Write body to path whole: a temp file in dir, fsynced, renamed. */
static int write_whole(const char *dir, const char *path,
		       const struct strbuf *body, struct strbuf *err)
{
	struct tempfile *t = create_tempfile_in(dir, ".quire-tmp-", 0644, err);
	int ret;

	if (!t)
		return QERR_GENERIC;
	if (write_in_full(t->fd, body->buf, body->len) < 0) {
		strbuf_addf(err, "cannot write '%s': ", t->path);
		disk_full_add_strerror(err, errno, t->path);
		ret = QERR_GENERIC;
	} else {
		ret = commit_tempfile(&t, path, err);
	}
	delete_tempfile(&t);
	return ret;
}

int ignore_write_default(const char *dir, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	strbuf_addf(&path, "%s/" IGNORE_FILE, dir);
	if (lstat(path.buf, &st) < 0 && errno == ENOENT) {
		strbuf_addstr(&body, ignore_default_text);
		ret = write_whole(dir, path.buf, &body, err);
		if (!ret)
			ret = 1;
	}
	strbuf_release(&path);
	strbuf_release(&body);
	return ret;
}

/*
 * The repository of the git work tree around dir: its common folder
 * (where info/exclude lives) in gitdir; 1 found, 0 none.
 */
static int find_git_dir(const char *dir, struct strbuf *gitdir)
{
	char *d = realpath(dir, NULL), *slash;
	struct strbuf sb = STRBUF_INIT, body = STRBUF_INIT;
	struct stat st;
	int found = 0;

	while (d && !found) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/.git", strcmp(d, "/") ? d : "");
		if (!stat(sb.buf, &st) && S_ISDIR(st.st_mode)) {
			strbuf_reset(gitdir);
			strbuf_addbuf(gitdir, &sb);
			found = 1;
		} else if (!stat(sb.buf, &st) && S_ISREG(st.st_mode) &&
			   strbuf_read_file_max(&body, sb.buf, 4096) >= 0 &&
			   !strncmp(body.buf, "gitdir:", 7)) {
			/* a worktree's or a submodule's ".git" file */
			const char *g = body.buf + 7;

			strbuf_trim(&body);
			while (*g == ' ' || *g == '\t')
				g++;
			strbuf_reset(gitdir);
			if (*g != '/')
				strbuf_addf(gitdir, "%s/", d);
			strbuf_addstr(gitdir, g);
			found = *g != '\0';
		}
		strbuf_reset(&body);
		if (found || !strcmp(d, "/"))
			break;
		slash = strrchr(d, '/');
		if (slash == d)
			d[1] = '\0';
		else
			*slash = '\0';
	}
	if (found) {
		/* a worktree shares its repository's info/exclude */
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/commondir", gitdir->buf);
		if (strbuf_read_file_max(&body, sb.buf, 4096) >= 0) {
			strbuf_trim(&body);
			if (body.len && body.buf[0] == '/')
				strbuf_reset(gitdir);
			else if (body.len)
				strbuf_addch(gitdir, '/');
			strbuf_addbuf(gitdir, &body);
		}
	}
	free(d);
	strbuf_release(&sb);
	strbuf_release(&body);
	return found;
}

/* Does a line of the exclude file say ".quire/" already? */
static int says_quire(const struct strbuf *sb)
{
	const char *line = sb->buf, *end = sb->buf + sb->len, *nl;

	for (; line < end; line = nl + 1) {
		size_t len;

		nl = memchr(line, '\n', end - line);
		if (!nl)
			nl = end;
		len = trim_spaces(line, nl - line);
		if (len && line[0] == '/') {
			line++;
			len--;
		}
		if ((len == 7 && !memcmp(line, ".quire/", 7)) ||
		    (len == 6 && !memcmp(line, ".quire", 6)))
			return 1;
	}
	return 0;
}

int ignore_git_exclude(const char *dir, struct strbuf *where,
		       struct strbuf *err)
{
	struct strbuf gitdir = STRBUF_INIT, info = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	int ret = 0;

	if (!find_git_dir(dir, &gitdir))
		goto out;
	strbuf_addf(&info, "%s/info", gitdir.buf);
	strbuf_addf(&path, "%s/exclude", info.buf);
	if (strbuf_read_file_max(&body, path.buf, IGNORE_FILE_MAX) < 0 &&
	    errno != ENOENT) {
		strbuf_addf(err, "cannot read '%s': %s", path.buf,
			    strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	if (says_quire(&body))
		goto out;
	if (body.len && body.buf[body.len - 1] != '\n')
		strbuf_addch(&body, '\n');
	strbuf_addstr(&body, ".quire/\n");
	if (mkdir_p(info.buf, 0755) < 0) {
		strbuf_addf(err, "cannot create '%s': %s", info.buf,
			    strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	ret = write_whole(info.buf, path.buf, &body, err);
	if (!ret) {
		ret = 1;
		if (where)
			strbuf_addbuf(where, &path);
	}
out:
	strbuf_release(&gitdir);
	strbuf_release(&info);
	strbuf_release(&path);
	strbuf_release(&body);
	return ret;
}
