// SPDX-License-Identifier: GPL-2.0
/*
 * xot-trace: decoding blktrace records and merging the per-CPU files in
 * time order (blkio.h).
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blkio.h"

int xt_fail(struct xt_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint16_t get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* struct blk_io_trace offsets */
enum {
	O_MAGIC = 0, O_SEQ = 4, O_TIME = 8, O_SECTOR = 16, O_BYTES = 24,
	O_ACTION = 28, O_PID = 32, O_DEVICE = 36, O_CPU = 40, O_ERROR = 44,
	O_PDU_LEN = 46,
};

static int check_magic(uint32_t magic, const char *where, struct xt_err *err)
{
	if ((magic & 0xffffff00u) != XT_MAGIC) {
		if ((__builtin_bswap32(magic) & 0xffffff00u) == XT_MAGIC)
			return xt_fail(err, "%s: blktrace data in the other byte order "
				       "(taken on a machine of other endianness): not supported",
				       where);
		return xt_fail(err, "%s: not blktrace data (magic 0x%08x, expected 0x%08x)",
			       where, magic, XT_MAGIC | XT_VERSION);
	}
	if ((magic & 0xff) != XT_VERSION)
		return xt_fail(err, "%s: blktrace format version %u, this tool reads version %u",
			       where, magic & 0xff, XT_VERSION);
	return 0;
}

long xt_decode(const unsigned char *buf, size_t len, struct xt_event *ev,
	       const char *where, struct xt_err *err)
{
	size_t pdu_len, size, off = 0;

	if (check_magic(get32(buf + O_MAGIC), where, err))
		return -1;
	pdu_len = get16(buf + O_PDU_LEN);
	size = XT_HDR_SIZE + pdu_len;
	if (len < size)
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->time = get64(buf + O_TIME);
	ev->action = get32(buf + O_ACTION);
	ev->pid = get32(buf + O_PID);
	ev->device = get32(buf + O_DEVICE);
	ev->cpu = get32(buf + O_CPU);
	if (!xt_is_note(ev)) {
		ev->sector = get64(buf + O_SECTOR);
		ev->bytes = get32(buf + O_BYTES);
		ev->error = get16(buf + O_ERROR);
	}
	if (ev->action & XT_TA_CGROUP) {
		if (pdu_len < 8)
			return xt_fail(err, "%s: record with a cgroup flag but a %zu-byte payload",
				       where, pdu_len);
		ev->has_cgid = 1;
		ev->cgid = get64(buf + XT_HDR_SIZE);
		off = 8;
	}
	if (xt_is_note(ev)) {
		size_t n = pdu_len - off;

		if (n > XT_MSG_MAX)
			n = XT_MSG_MAX;
		memcpy(ev->text, buf + XT_HDR_SIZE + off, n);
		ev->text[n] = 0;
		/* comm is NUL-padded; messages have no NUL: cut at the first */
		ev->text[strnlen(ev->text, n)] = 0;
	}
	return (long)size;
}

size_t xt_encode(unsigned char *out, const struct xt_event *ev, uint32_t seq,
		 const void *pdu, uint16_t pdu_len)
{
	uint32_t magic = XT_MAGIC | XT_VERSION, action = ev->action;
	uint16_t total = pdu_len + (ev->has_cgid ? 8 : 0);
	size_t off = XT_HDR_SIZE;

	if (ev->has_cgid)
		action |= XT_TA_CGROUP;
	memset(out, 0, XT_HDR_SIZE);
	memcpy(out + O_MAGIC, &magic, 4);
	memcpy(out + O_SEQ, &seq, 4);
	memcpy(out + O_TIME, &ev->time, 8);
	memcpy(out + O_SECTOR, &ev->sector, 8);
	memcpy(out + O_BYTES, &ev->bytes, 4);
	memcpy(out + O_ACTION, &action, 4);
	memcpy(out + O_PID, &ev->pid, 4);
	memcpy(out + O_DEVICE, &ev->device, 4);
	memcpy(out + O_CPU, &ev->cpu, 4);
	memcpy(out + O_ERROR, &ev->error, 2);
	memcpy(out + O_PDU_LEN, &total, 2);
	if (ev->has_cgid) {
		memcpy(out + off, &ev->cgid, 8);
		off += 8;
	}
	if (pdu_len)
		memcpy(out + off, pdu, pdu_len);
	return off + pdu_len;
}

/* ------------------------------------------------------------ streams */

/* Read the next record of a file stream into s->cur. */
static int file_next(struct xt_stream *s, struct xt_err *err)
{
	unsigned char buf[XT_HDR_SIZE + 65536];
	char where[600];
	size_t got, pdu_len;
	long n;

	got = fread(buf, 1, XT_HDR_SIZE, s->f);
	if (got == 0) {
		if (ferror(s->f))
			return xt_fail(err, "%s: read error: %s", s->name, strerror(errno));
		s->done = 1;
		return 0;
	}
	snprintf(where, sizeof(where), "%s: offset %llu", s->name,
		 (unsigned long long)s->offset);
	/* not blktrace data at all is the likelier story: check that first */
	if (got >= 4 && check_magic(get32(buf), where, err))
		return -1;
	if (got < XT_HDR_SIZE)
		return xt_fail(err, "%s: truncated record (%zu of %d header bytes)",
			       where, got, XT_HDR_SIZE);
	pdu_len = get16(buf + O_PDU_LEN);
	got = fread(buf + XT_HDR_SIZE, 1, pdu_len, s->f);
	if (got < pdu_len)
		return xt_fail(err, "%s: truncated record (%zu of %zu payload bytes)",
			       where, got, pdu_len);
	n = xt_decode(buf, XT_HDR_SIZE + pdu_len, &s->cur, where, err);
	if (n <= 0)
		return n < 0 ? -1 : xt_fail(err, "%s: truncated record", where);
	s->offset += (uint64_t)n;
	s->have = 1;
	return 1;
}

static int stream_next(struct xt_stream *s, struct xt_err *err)
{
	s->have = 0;
	if (s->done)
		return 0;
	if (s->f)
		return file_next(s, err);
	if (s->pos >= s->nev) {
		s->done = 1;
		return 0;
	}
	s->cur = s->evs[s->pos++];
	s->have = 1;
	return 1;
}

struct idx_ev {
	struct xt_event ev;
	size_t idx;
};

static int cmp_idx_ev(const void *a, const void *b)
{
	const struct idx_ev *x = a, *y = b;

	if (x->ev.time != y->ev.time)
		return x->ev.time < y->ev.time ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Standard input: every CPU's records in one stream, read whole, sorted. */
static int load_stdin(struct xt_stream *s, struct xt_err *err)
{
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, off = 0, n = 0, ncap = 0, i;
	struct idx_ev *v = NULL;
	char where[128];

	for (;;) {
		size_t got;

		if (len + 65536 > cap) {
			unsigned char *d = realloc(data, cap = (cap ? cap * 2 : 1 << 20));

			if (!d)
				goto nomem;
			data = d;
		}
		got = fread(data + len, 1, cap - len, stdin);
		len += got;
		if (!got)
			break;
	}
	if (ferror(stdin)) {
		free(data);
		return xt_fail(err, "-: read error: %s", strerror(errno));
	}
	while (off < len) {
		long sz;

		snprintf(where, sizeof(where), "-: offset %zu", off);
		if (len - off >= 4 && check_magic(get32(data + off), where, err))
			goto fail;
		if (len - off < XT_HDR_SIZE) {
			xt_fail(err, "%s: truncated record (%zu of %d header bytes)",
				where, len - off, XT_HDR_SIZE);
			goto fail;
		}
		if (n == ncap) {
			struct idx_ev *nv = realloc(v, (ncap = ncap ? ncap * 2 : 4096) * sizeof(*v));

			if (!nv)
				goto nomem;
			v = nv;
		}
		sz = xt_decode(data + off, len - off, &v[n].ev, where, err);
		if (sz < 0)
			goto fail;
		if (sz == 0) {
			xt_fail(err, "%s: truncated record (payload cut short)", where);
			goto fail;
		}
		v[n].idx = n;
		n++;
		off += (size_t)sz;
	}
	free(data);
	data = NULL;
	qsort(v, n, sizeof(*v), cmp_idx_ev);
	s->evs = malloc((n ? n : 1) * sizeof(*s->evs));
	if (!s->evs)
		goto nomem;
	for (i = 0; i < n; i++)
		s->evs[i] = v[i].ev;
	s->nev = n;
	free(v);
	return 0;
nomem:
	xt_fail(err, "-: out of memory");
fail:
	free(data);
	free(v);
	return -1;
}

static int add_stream(struct xt_reader *r, const char *name, struct xt_err *err)
{
	struct xt_stream *ns = realloc(r->s, (r->ns + 1) * sizeof(*r->s));
	struct xt_stream *s;

	if (!ns)
		return xt_fail(err, "out of memory");
	r->s = ns;
	s = &r->s[r->ns];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		return xt_fail(err, "out of memory");
	r->ns++;
	if (!strcmp(name, "-"))
		return load_stdin(s, err);
	s->f = fopen(name, "rb");
	if (!s->f)
		return xt_fail(err, "%s: %s", name, strerror(errno));
	return 0;
}

/* NAME.blktrace.N, N a CPU number */
static int is_trace_name(const char *n)
{
	const char *p = strstr(n, ".blktrace.");

	if (!p || !p[10])
		return 0;
	return strspn(p + 10, "0123456789") == strlen(p + 10);
}

static int add_dir(struct xt_reader *r, const char *dir, struct xt_err *err)
{
	struct dirent **ents;
	size_t before = r->ns;
	int n, i, ret = 0;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return xt_fail(err, "%s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		char path[4096];

		if (!ret && is_trace_name(ents[i]->d_name)) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			ret = add_stream(r, path, err);
		}
		free(ents[i]);
	}
	free(ents);
	if (!ret && r->ns == before)
		return xt_fail(err, "%s: no blktrace files (*.blktrace.N) in this directory", dir);
	return ret;
}

static int add_input(struct xt_reader *r, const char *in, struct xt_err *err)
{
	struct stat st;
	char pat[4096];
	glob_t g;
	size_t i;
	int ret = 0;

	if (!strcmp(in, "-"))
		return add_stream(r, in, err);
	if (!stat(in, &st))
		return S_ISDIR(st.st_mode) ? add_dir(r, in, err) : add_stream(r, in, err);
	snprintf(pat, sizeof(pat), "%s.blktrace.[0-9]*", in);
	if (glob(pat, 0, NULL, &g) || !g.gl_pathc)
		return xt_fail(err, "%s: no such file, and no blktrace output %s.blktrace.N", in, in);
	for (i = 0; i < g.gl_pathc && !ret; i++)
		if (is_trace_name(g.gl_pathv[i]))	/* not NAME.blktrace.1.bak */
			ret = add_stream(r, g.gl_pathv[i], err);
	globfree(&g);
	return ret;
}

int xt_reader_open(struct xt_reader *r, char *const *inputs, size_t n,
		   struct xt_err *err)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++)
		if (add_input(r, inputs[i], err))
			return -1;
	for (i = 0; i < r->ns; i++)
		if (stream_next(&r->s[i], err) < 0)
			return -1;
	return 0;
}

int xt_reader_next(struct xt_reader *r, struct xt_event *ev, struct xt_err *err)
{
	struct xt_stream *best = NULL;
	size_t i;

	for (i = 0; i < r->ns; i++)
		if (r->s[i].have && (!best || r->s[i].cur.time < best->cur.time))
			best = &r->s[i];
	if (!best)
		return 0;
	*ev = best->cur;
	r->records++;
	if (stream_next(best, err) < 0)
		return -1;
	return 1;
}

void xt_reader_close(struct xt_reader *r)
{
	size_t i;

	for (i = 0; i < r->ns; i++) {
		if (r->s[i].f)
			fclose(r->s[i].f);
		free(r->s[i].evs);
		free(r->s[i].name);
	}
	free(r->s);
	memset(r, 0, sizeof(*r));
}
