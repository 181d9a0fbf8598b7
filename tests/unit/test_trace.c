// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xot-trace (userspace/trace/) on synthetic blktrace files
 * that the tests write themselves, record by record, the way Linux 6.1's
 * kernel/trace/blktrace.c lays them out: decoding, reading (per-CPU files,
 * a directory, a NAME prefix, standard input), the refusal of bad input,
 * message parsing, attribution (dispatch batches, requeues, flushes, two
 * CPUs, no messages), hierarchical targets, windows, percentiles, Jain's
 * index, cgroup paths, and a golden JSON report
 * (tests/unit/data/trace-golden.json; XOT_UPDATE_GOLDEN=1 rewrites it).
 */
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "unit.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-6)
#define MS 1000000ull
#define DEV (8u << 20 | 16)	/* 8:16 */
#define A_Q  (XT_TA_QUEUE | XT_TC_ACT(1u << 4))
#define A_D  (XT_TA_ISSUE | XT_TC_ACT(1u << 6))
#define A_C  (XT_TA_COMPLETE | XT_TC_ACT(1u << 7))
#define A_R  (XT_TA_REQUEUE | XT_TC_ACT(1u << 5))
#define A_I  (XT_TA_INSERT | XT_TC_ACT(1u << 4))
#define A_F  (XT_TA_FRONTMERGE | XT_TC_ACT(1u << 4))
#define A_MSG (XT_TN_MESSAGE | XT_TC_ACT(XT_TC_NOTIFY))
#define A_PROC (XT_TN_PROCESS | XT_TC_ACT(XT_TC_NOTIFY))

/* ------------------------------------------------------------ generator */

struct gen {
	unsigned char *buf;
	size_t len, cap;
	uint32_t seq;
};

static void g_rec(struct gen *g, uint64_t t, uint32_t action, uint32_t cpu, uint64_t sector,
		  uint32_t bytes, uint32_t pid, int has_cgid, uint64_t cgid, const char *text,
		  size_t text_len)
{
	struct xt_event ev;

	if (g->len + XT_HDR_SIZE + 8 + 200 > g->cap) {
		g->cap = g->cap ? g->cap * 2 : 65536;
		g->buf = realloc(g->buf, g->cap);
	}
	memset(&ev, 0, sizeof(ev));
	ev.time = t;
	ev.action = action;
	ev.cpu = cpu;
	ev.device = DEV;
	ev.pid = pid;
	/* notes leave sector/bytes/error stale in the kernel: make them junk */
	ev.sector = text ? 0xdeadbeefull : sector;
	ev.bytes = text ? 12345 : bytes;
	ev.has_cgid = (uint8_t)has_cgid;
	ev.cgid = cgid;
	g->len += xt_encode(g->buf + g->len, &ev, ++g->seq, text, (uint16_t)text_len);
}

/* a message as xot_trace_dispatch() writes it (cgroup id 1: blk_cgroup off) */
static void g_msg(struct gen *g, uint64_t t, uint32_t cpu, const char *text)
{
	g_rec(g, t, A_MSG, cpu, 0, 0, 99, 1, 1, text, strlen(text));
}

static void g_msg_cg(struct gen *g, uint64_t t, uint32_t cpu, uint64_t cgid, const char *text)
{
	g_rec(g, t, A_MSG, cpu, 0, 0, 99, 1, cgid, text, strlen(text));
}

static void g_q(struct gen *g, uint64_t t, uint32_t cpu, uint64_t sector, uint32_t pid)
{
	g_rec(g, t, A_Q, cpu, sector, 4096, pid, 0, 0, NULL, 0);
}

static void g_d(struct gen *g, uint64_t t, uint32_t cpu, uint64_t sector, uint32_t bytes)
{
	g_rec(g, t, A_D, cpu, sector, bytes, 0, 0, 0, NULL, 0);
}

static void g_c(struct gen *g, uint64_t t, uint32_t cpu, uint64_t sector, uint32_t bytes)
{
	g_rec(g, t, A_C, cpu, sector, bytes, 0, 0, 0, NULL, 0);
}

static void g_proc(struct gen *g, uint64_t t, uint32_t pid, const char *comm)
{
	char c[16] = { 0 };

	snprintf(c, sizeof(c), "%s", comm);
	g_rec(g, t, A_PROC, 0, 0, 0, pid, 0, 0, c, sizeof(c));
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char p[4][256];
	static int k;

	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/xot-trace-test.XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
	}
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

static void g_write(struct gen *g, const char *path)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(!g->len || fwrite(g->buf, 1, g->len, f) == g->len);
	fclose(f);
}

static void g_free(struct gen *g)
{
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

/* Read @n inputs into @a; 0 or -1 with the message in @err. */
static int analyse(struct xt_attr *a, char *const *in, size_t n, struct xt_err *err)
{
	struct xt_reader r;
	struct xt_event ev;
	int ret;

	xt_attr_init(a);
	if (xt_reader_open(&r, in, n, err)) {
		xt_reader_close(&r);
		return -1;
	}
	while ((ret = xt_reader_next(&r, &ev, err)) > 0)
		if (xt_attr_feed(a, &ev, err)) {
			ret = -1;
			break;
		}
	xt_reader_close(&r);
	xt_attr_finish(a);
	return ret;
}

static int analyse_gen(struct xt_attr *a, struct gen *g, const char *name, struct xt_err *err)
{
	char *in[1];

	g_write(g, tmp_path(name));
	in[0] = (char *)tmp_path(name);
	return analyse(a, in, 1, err);
}

static const struct xt_req *req_at(const struct xt_attr *a, uint64_t sector)
{
	size_t i;

	/* requests are recorded by completion; find by issue sector via td order */
	for (i = 0; i < a->nreq; i++)
		if (a->reqs[i].td && a->reqs[i].bytes == 4096 + sector)
			return &a->reqs[i];
	return NULL;
}

static const struct xt_ent *ent(const struct xt_report *r, int l, const char *name)
{
	size_t i;

	for (i = 0; i < r->lv[l].n; i++)
		if (!strcmp(r->lv[l].e[i].name, name))
			return &r->lv[l].e[i];
	return NULL;
}

/* ------------------------------------------------------------ format */

static void test_encode_decode(void)
{
	unsigned char buf[512];
	struct xt_event in, out;
	struct xt_err err = { "" };
	const char *msg = "xot dispatch tgid=7 w=100 gw=200";
	size_t n;

	memset(&in, 0, sizeof(in));
	in.time = 123456789;
	in.action = A_MSG;
	in.pid = 42;
	in.device = DEV;
	in.cpu = 3;
	in.has_cgid = 1;
	in.cgid = 0x1122334455ull;
	n = xt_encode(buf, &in, 1, msg, (uint16_t)strlen(msg));
	CHECK(n == XT_HDR_SIZE + 8 + strlen(msg));
	CHECK(xt_decode(buf, n, &out, "t", &err) == (long)n);
	CHECK(xt_is_note(&out) && xt_act(&out) == XT_TN_MESSAGE);
	CHECK(out.action & XT_TA_CGROUP);
	CHECK(out.has_cgid && out.cgid == 0x1122334455ull);
	CHECK(!strcmp(out.text, msg));
	CHECK(out.time == 123456789 && out.pid == 42 && out.cpu == 3 && out.device == DEV);
	/* one byte short: truncated (0), not an error */
	CHECK(xt_decode(buf, n - 1, &out, "t", &err) == 0);

	/* a note without the cgroup flag: the payload is all text */
	in.has_cgid = 0;
	n = xt_encode(buf, &in, 2, msg, (uint16_t)strlen(msg));
	CHECK(xt_decode(buf, n, &out, "t", &err) == (long)n);
	CHECK(!out.has_cgid && !strcmp(out.text, msg));

	/* an issue with a cgroup id: sector and bytes kept */
	memset(&in, 0, sizeof(in));
	in.action = A_D | XT_TC_ACT(XT_TC_WRITE);
	in.sector = 2048;
	in.bytes = 8192;
	in.has_cgid = 1;
	in.cgid = 77;
	n = xt_encode(buf, &in, 3, NULL, 0);
	CHECK(xt_decode(buf, n, &out, "t", &err) == (long)n);
	CHECK(!xt_is_note(&out) && xt_act(&out) == XT_TA_ISSUE);
	CHECK(out.sector == 2048 && out.bytes == 8192 && out.cgid == 77);
}

static void test_bad_magic(void)
{
	unsigned char buf[64];
	struct xt_event ev;
	struct xt_err err = { "" };
	uint32_t m;

	memset(&ev, 0, sizeof(ev));
	xt_encode(buf, &ev, 1, NULL, 0);
	m = 0x12345678;
	memcpy(buf, &m, 4);
	CHECK(xt_decode(buf, sizeof(buf), &ev, "f", &err) < 0);
	CHECK(strstr(err.msg, "not blktrace data") != NULL);
	m = __builtin_bswap32(XT_MAGIC | XT_VERSION);
	memcpy(buf, &m, 4);
	CHECK(xt_decode(buf, sizeof(buf), &ev, "f", &err) < 0);
	CHECK(strstr(err.msg, "other byte order") != NULL);
	m = XT_MAGIC | 6;
	memcpy(buf, &m, 4);
	CHECK(xt_decode(buf, sizeof(buf), &ev, "f", &err) < 0);
	CHECK(strstr(err.msg, "version 6") != NULL);
}

static void test_bad_files(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_err err = { "" };
	char *in[1];

	g_msg(&g, 1, 0, "xot dispatch tgid=1 w=100 gw=100");
	g_d(&g, 2, 0, 8, 4096);
	/* cut inside the second record's header */
	g.len -= 20;
	CHECK(analyse_gen(&a, &g, "cut-header.blktrace.0", &err) < 0);
	CHECKF(strstr(err.msg, "truncated record") && strstr(err.msg, "offset"), "%s", err.msg);
	xt_attr_free(&a);
	/* cut inside the message's payload */
	g.len = XT_HDR_SIZE + 4;
	CHECK(analyse_gen(&a, &g, "cut-pdu.blktrace.0", &err) < 0);
	CHECKF(strstr(err.msg, "payload bytes") != NULL, "%s", err.msg);
	xt_attr_free(&a);
	/* not blktrace at all */
	{
		static const char text[] = "#!/bin/sh\necho this is not a trace, not at all\n";

		memcpy(g.buf, text, sizeof(text) - 1);
		g.len = sizeof(text) - 1;
	}
	CHECK(analyse_gen(&a, &g, "text.blktrace.0", &err) < 0);
	CHECKF(strstr(err.msg, "not blktrace data") != NULL, "%s", err.msg);
	xt_attr_free(&a);
	g_free(&g);
	/* missing input */
	in[0] = (char *)tmp_path("nosuch");
	CHECK(analyse(&a, in, 1, &err) < 0);
	CHECKF(strstr(err.msg, "no blktrace output") != NULL, "%s", err.msg);
	xt_attr_free(&a);
	/* an empty file is a trace with no records */
	CHECK(analyse_gen(&a, &g, "empty.blktrace.0", &err) == 0);
	CHECK(a.nreq == 0 && a.st.records == 0);
	xt_attr_free(&a);
}

static void test_parse_msg(void)
{
	struct xt_who w;

	CHECK(xt_parse_msg("xot dispatch tgid=1234 w=100 gw=800", &w));
	CHECK(!w.guest && w.tgid == 1234 && w.w == 100 && w.gw == 800);
	CHECK(xt_parse_msg("xot dispatch tgid=0 w=100 gw=300 vm=5 gcg=4321 vw=200", &w));
	CHECK(w.guest && w.tgid == 0 && w.gw == 300 && w.domid == 5 && w.gcg == 4321 &&
	      w.vw == 200);
	CHECK(!xt_parse_msg("bfq1234A /gold dispatch", &w));
	CHECK(!xt_parse_msg("xot dispatch tgid=1 w=100", &w));
	CHECK(!xt_parse_msg("xot dispatch tgid=1 w=100 gw=800 extra", &w));
}

/* ------------------------------------------------------------ attribution */

/*
 * A dispatch batch: three messages, then the three issues in the same
 * order, on one CPU; completions in another order. Sizes tell requests
 * apart (4096 + sector).
 */
static void test_batch(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_err err = { "" };
	const struct xt_req *r;

	g_q(&g, 1 * MS, 0, 0, 11);
	g_q(&g, 1 * MS + 1, 0, 8, 12);
	g_q(&g, 1 * MS + 2, 0, 16, 13);
	g_msg(&g, 2 * MS, 0, "xot dispatch tgid=11 w=100 gw=100");
	g_msg(&g, 2 * MS + 1, 0, "xot dispatch tgid=12 w=200 gw=100");
	g_msg(&g, 2 * MS + 2, 0, "xot dispatch tgid=13 w=300 gw=100");
	g_d(&g, 2 * MS + 3, 0, 0, 4096 + 0);
	g_d(&g, 2 * MS + 4, 0, 8, 4096 + 8);
	g_d(&g, 2 * MS + 5, 0, 16, 4096 + 16);
	g_c(&g, 5 * MS, 1, 16, 4096 + 16);
	g_c(&g, 6 * MS, 1, 0, 4096 + 0);
	g_c(&g, 7 * MS, 1, 8, 4096 + 8);
	CHECK(analyse_gen(&a, &g, "batch.blktrace.0", &err) == 0);
	CHECK(a.nreq == 3 && a.st.by_msg == 3 && a.st.by_pid == 0);
	r = req_at(&a, 0);
	CHECK(r && r->who.tgid == 11 && r->who.w == 100);
	CHECK(r && r->has_q && r->tq == 1 * MS && r->tc == 6 * MS);
	r = req_at(&a, 8);
	CHECK(r && r->who.tgid == 12 && r->who.w == 200);
	r = req_at(&a, 16);
	CHECK(r && r->who.tgid == 13 && r->who.w == 300 && r->td == 2 * MS + 5);
	CHECK(a.st.orphan_msgs == 0 && a.st.unmatched_completions == 0);
	xt_attr_free(&a);
	g_free(&g);
}

/* requeue keeps the first attribution; a data-less flush takes no message */
static void test_requeue_flush(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_err err = { "" };
	const struct xt_req *r;

	g_msg(&g, 1 * MS, 0, "xot dispatch tgid=21 w=100 gw=100");
	g_d(&g, 1 * MS + 1, 0, 0, 4096);
	g_rec(&g, 1 * MS + 2, A_R, 0, 0, 4096, 0, 0, 0, NULL, 0);
	/* a flush (no data) issued in between: no message of its own */
	g_rec(&g, 1 * MS + 3, A_D | XT_TC_ACT(XT_TC_FLUSH), 0, 0, 0, 5, 0, 0, NULL, 0);
	g_msg(&g, 2 * MS, 0, "xot dispatch tgid=22 w=100 gw=100");
	g_d(&g, 2 * MS + 1, 0, 0, 4096);	/* the re-issue: no message */
	g_d(&g, 2 * MS + 2, 0, 64, 4096 + 64);	/* takes tgid 22 */
	g_rec(&g, 3 * MS, A_C | XT_TC_ACT(XT_TC_FLUSH), 0, 0, 0, 0, 0, 0, NULL, 0);
	g_c(&g, 4 * MS, 0, 0, 4096);
	g_c(&g, 5 * MS, 0, 64, 4096 + 64);
	CHECK(analyse_gen(&a, &g, "requeue.blktrace.0", &err) == 0);
	CHECK(a.nreq == 3);
	CHECK(a.st.reissued == 1);
	r = req_at(&a, 0);
	CHECK(r && r->who.src == XT_SRC_MSG && r->who.tgid == 21 && r->td == 2 * MS + 1);
	r = req_at(&a, 64);
	CHECK(r && r->who.src == XT_SRC_MSG && r->who.tgid == 22);
	CHECK(a.st.by_pid == 1);	/* the flush, by the pid of its issue */
	xt_attr_free(&a);
	g_free(&g);
}

/*
 * Two CPUs dispatch at once, each its own batch; the per-CPU files are
 * merged by time. A request whose message was written on CPU 0 but which
 * was issued later from CPU 1 (no driver tag) still gets it.
 */
static void test_two_cpus(void)
{
	struct gen g0 = { 0 }, g1 = { 0 };
	struct xt_attr a;
	struct xt_err err = { "" };
	const struct xt_req *r;
	char *in[1];

	g_msg(&g0, 10, 0, "xot dispatch tgid=1 w=100 gw=100");
	g_msg(&g0, 12, 0, "xot dispatch tgid=2 w=100 gw=100");
	g_msg(&g1, 11, 1, "xot dispatch tgid=3 w=100 gw=100");
	g_d(&g1, 13, 1, 800, 4096 + 800);	/* CPU 1's own message: tgid 3 */
	g_d(&g0, 14, 0, 100, 4096 + 100);	/* tgid 1 */
	g_d(&g1, 30, 1, 200, 4096 + 200);	/* CPU 0's leftover: tgid 2 */
	g_c(&g0, 40, 0, 100, 4096 + 100);
	g_c(&g0, 41, 0, 200, 4096 + 200);
	g_c(&g1, 42, 1, 800, 4096 + 800);
	g_write(&g0, tmp_path("cpus.blktrace.0"));
	g_write(&g1, tmp_path("cpus.blktrace.1"));
	in[0] = (char *)tmp_path("cpus");	/* NAME prefix */
	CHECK(analyse(&a, in, 1, &err) == 0);
	CHECK(a.nreq == 3);
	r = req_at(&a, 800);
	CHECK(r && r->who.tgid == 3);
	r = req_at(&a, 100);
	CHECK(r && r->who.tgid == 1);
	r = req_at(&a, 200);
	CHECK(r && r->who.tgid == 2);
	CHECK(a.st.cross_cpu == 1);
	xt_attr_free(&a);

	/* the same as a directory, and as two explicit files */
	in[0] = (char *)tmp_path("cpudir");
	mkdir(in[0], 0755);
	g_write(&g0, tmp_path("cpudir/x.blktrace.0"));
	g_write(&g1, tmp_path("cpudir/x.blktrace.1"));
	g_write(&g1, tmp_path("cpudir/x.blktrace.1.not-a-cpu-file~"));
	in[0] = (char *)tmp_path("cpudir");
	CHECK(analyse(&a, in, 1, &err) == 0);
	CHECK(a.nreq == 3 && (r = req_at(&a, 200)) && r->who.tgid == 2);
	xt_attr_free(&a);
	{
		char *two[2] = { (char *)tmp_path("cpus.blktrace.1"),
				 (char *)tmp_path("cpus.blktrace.0") };

		CHECK(analyse(&a, two, 2, &err) == 0);
		CHECK(a.nreq == 3 && (r = req_at(&a, 200)) && r->who.tgid == 2);
		xt_attr_free(&a);
	}
	g_free(&g0);
	g_free(&g1);
}

/* "-": one stream with both CPUs' records, out of time order */
static void test_stdin(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_err err = { "" };
	char *in[1] = { "-" };
	const struct xt_req *r;
	int saved = dup(0);

	/* CPU 1's chunk first, then CPU 0's, as blktrace -o - writes them */
	g_d(&g, 20, 1, 8, 4096 + 8);
	g_c(&g, 30, 1, 8, 4096 + 8);
	g_msg(&g, 10, 0, "xot dispatch tgid=5 w=100 gw=100");
	g_msg(&g, 15, 0, "xot dispatch tgid=6 w=100 gw=100");
	g_d(&g, 16, 0, 0, 4096);
	g_c(&g, 25, 0, 0, 4096);
	g_write(&g, tmp_path("stdin.bin"));
	CHECK(freopen(tmp_path("stdin.bin"), "rb", stdin) != NULL);
	CHECK(analyse(&a, in, 1, &err) == 0);
	CHECK(a.nreq == 2);
	r = req_at(&a, 0);
	CHECK(r && r->who.tgid == 5);
	r = req_at(&a, 8);
	CHECK(r && r->who.tgid == 6);
	xt_attr_free(&a);
	g_free(&g);
	dup2(saved, 0);
	close(saved);
	clearerr(stdin);
}

/*
 * With insert (I) records in the trace, a request issued without one
 * bypassed the elevator (the data of a flush sequence: a write with no
 * flush flag left) and takes no message; a front merge (F) moves the
 * request's start, its I and its Q records with it.
 */
static void test_bypass_front_merge(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_err err = { "" };
	const struct xt_req *r;
	uint64_t t = 2000 * MS;	/* past the first second of the trace */

	g_rec(&g, 0, A_I, 0, 1 << 20, 4096, 1, 0, 0, NULL, 0);	/* the trace has I records */
	g_q(&g, t, 0, 16, 31);
	g_rec(&g, t + 1, A_I, 0, 16, 4096, 31, 0, 0, NULL, 0);
	g_q(&g, t + 2, 0, 8, 31);
	g_rec(&g, t + 3, A_F, 0, 8, 4096, 31, 0, 0, NULL, 0);	/* 8..16 in front of 16 */
	g_q(&g, t + 4, 0, 64, 32);
	g_rec(&g, t + 5, A_I, 0, 64, 4096, 32, 0, 0, NULL, 0);
	g_msg(&g, t + 10, 0, "xot dispatch tgid=31 w=100 gw=100");
	g_msg(&g, t + 11, 0, "xot dispatch tgid=32 w=100 gw=100");
	/* a flush sequence's data write, issued from the dispatch list first */
	g_rec(&g, t + 12, A_D | XT_TC_ACT(XT_TC_WRITE), 0, 4096, 4096 + 4096, 0, 0, 0, NULL, 0);
	g_d(&g, t + 13, 0, 8, 4096 + 8);
	g_d(&g, t + 14, 0, 64, 4096 + 64);
	g_c(&g, t + 20, 0, 4096, 4096 + 4096);
	g_c(&g, t + 21, 0, 8, 4096 + 8);
	g_c(&g, t + 22, 0, 64, 4096 + 64);
	CHECK(analyse_gen(&a, &g, "bypass.blktrace.0", &err) == 0);
	CHECK(a.nreq == 3 && a.st.bypassed == 1 && a.st.by_msg == 2);
	r = req_at(&a, 4096);
	CHECK(r && r->who.src == XT_SRC_PID);
	r = req_at(&a, 8);
	CHECK(r && r->who.src == XT_SRC_MSG && r->who.tgid == 31);
	/* queued when its first bio (at 16) was */
	CHECK(r && r->has_q && r->tq == t);
	r = req_at(&a, 64);
	CHECK(r && r->who.tgid == 32);
	CHECK(a.st.orphan_msgs == 0);
	xt_attr_free(&a);
	g_free(&g);
}

/*
 * Two processes queue a request at the same sector (fio jobs share their
 * random seed); the one queued second is dispatched first. Each request
 * gets its own process's Q record, and the check of the matching (Q pid =
 * message tgid) finds nothing amiss.
 */
static void test_same_sector(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_err err = { "" };
	size_t i;

	g_q(&g, 1 * MS, 0, 80, 41);
	g_q(&g, 2 * MS, 1, 80, 42);
	g_msg(&g, 3 * MS, 0, "xot dispatch tgid=42 w=400 gw=400");
	g_d(&g, 3 * MS + 1, 0, 80, 4096);
	g_c(&g, 4 * MS, 0, 80, 4096);
	g_msg(&g, 5 * MS, 0, "xot dispatch tgid=41 w=100 gw=100");
	g_d(&g, 5 * MS + 1, 0, 80, 4096);
	g_c(&g, 6 * MS, 0, 80, 4096);
	CHECK(analyse_gen(&a, &g, "same.blktrace.0", &err) == 0);
	CHECK(a.nreq == 2);
	for (i = 0; i < a.nreq; i++) {
		const struct xt_req *r = &a.reqs[i];

		CHECK(r->has_q && r->tq == (r->who.tgid == 41 ? 1 : 2) * MS);
	}
	CHECK(a.st.pid_checked == 2 && a.st.pid_differs == 0);
	xt_attr_free(&a);
	g_free(&g);
}

/*
 * A batch taken from two hardware queues is issued sorted by queue: the
 * messages say A, B, C, the issues come A, C, B. The queueing pids put
 * C's and B's messages back on their requests.
 */
static void test_hctx_sorted(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_err err = { "" };
	const struct xt_req *r;

	g_q(&g, 1, 0, 0, 51);
	g_q(&g, 2, 1, 8, 52);
	g_q(&g, 3, 0, 16, 53);
	g_msg(&g, 10, 0, "xot dispatch tgid=51 w=100 gw=100");
	g_msg(&g, 11, 0, "xot dispatch tgid=52 w=100 gw=100");
	g_msg(&g, 12, 0, "xot dispatch tgid=53 w=100 gw=100");
	g_d(&g, 13, 0, 0, 4096 + 0);
	g_d(&g, 14, 0, 16, 4096 + 16);
	g_d(&g, 15, 0, 8, 4096 + 8);
	g_c(&g, 20, 0, 0, 4096 + 0);
	g_c(&g, 21, 0, 16, 4096 + 16);
	g_c(&g, 22, 0, 8, 4096 + 8);
	CHECK(analyse_gen(&a, &g, "hctx.blktrace.0", &err) == 0);
	r = req_at(&a, 0);
	CHECK(r && r->who.tgid == 51);
	r = req_at(&a, 16);
	CHECK(r && r->who.tgid == 53);
	r = req_at(&a, 8);
	CHECK(r && r->who.tgid == 52);
	CHECK(a.st.reordered == 1 && a.st.pid_differs == 0);
	xt_attr_free(&a);
	g_free(&g);
}

/* no messages: by the pid of the Q record, named from PROCESS notes */
static void test_no_messages(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_report rep;
	struct xt_err err = { "" };
	const struct xt_ent *e;
	int i;

	g_proc(&g, 0, 300, "fio");
	for (i = 0; i < 4; i++) {
		g_q(&g, 1 * MS + i, 0, 8 * (uint64_t)i, i < 3 ? 300 : 301);
		g_d(&g, 2 * MS + i, 0, 8 * (uint64_t)i, 4096);
		g_c(&g, 3 * MS + i, 0, 8 * (uint64_t)i, 4096);
	}
	CHECK(analyse_gen(&a, &g, "nomsg.blktrace.0", &err) == 0);
	CHECK(a.nreq == 4 && a.st.by_pid == 4);
	CHECK(xt_report_build(&rep, &a, 1, NULL, &err) == 0);
	CHECK(!rep.weighted && !rep.cgroup_ids);
	e = ent(&rep, XT_L_TOP, "pid300(fio)");
	CHECK(e && e->v[XT_M_RQS] == 3 && e->target < 0 && NEAR(e->share[XT_M_RQS], 0.75));
	e = ent(&rep, XT_L_PROC, "pid301");
	CHECK(e && e->v[XT_M_RQS] == 1);
	/* no targets: Jain's index of the shares 0.75, 0.25 = 1 / (2 * 0.625) */
	CHECK(NEAR(rep.lv[XT_L_TOP].jain[XT_M_RQS], 0.8));
	xt_report_free(&rep);
	xt_attr_free(&a);
	g_free(&g);
}

/* ------------------------------------------------------------ shares */

/* Serve @n requests of each listed entity, one at a time, @svc apart. */
struct flow {
	const char *msg;
	int per_cycle;	/* requests per cycle */
};

static uint64_t serve(struct gen *g, uint64_t t, const struct flow *f, int nf, int cycles,
		      uint64_t svc, uint64_t *sector)
{
	int c, i, k;

	for (c = 0; c < cycles; c++)
		for (i = 0; i < nf; i++)
			for (k = 0; k < f[i].per_cycle; k++) {
				struct xt_who w;

				/* local I/O is queued by its process, a guest's by blkback */
				xt_parse_msg(f[i].msg, &w);
				g_q(g, t, 0, *sector, w.guest ? 1000 : w.tgid);
				g_msg(g, t + 1, 0, f[i].msg);
				g_d(g, t + 2, 0, *sector, 4096);
				t += svc;
				g_c(g, t, 0, *sector, 4096);
				*sector += 8;
			}
	return t;
}

/*
 * xot's tree: the root holds VM 5 (vw 200), VM 6 (vw 100) and a dom0
 * cgroup of weight 100. VM 5 has guest cgroups 10 (gw 100) and 20 (gw 300);
 * VM 6 serves its own queue; the dom0 cgroup has processes 7 (w 100) and
 * 8 (w 300). Targets: top 200:100:100 -> .5, .25, .25; vm5/cg10 .5 * 1/4 =
 * .125, vm5/cg20 .375; processes 7 and 8: .25 * 1/4 = .0625 and .1875.
 * Served exactly in those proportions (16 requests a cycle), Jain = 1.
 */
static const struct flow tree[] = {
	{ "xot dispatch tgid=51 w=100 gw=100 vm=5 gcg=10 vw=200", 2 },
	{ "xot dispatch tgid=52 w=100 gw=300 vm=5 gcg=20 vw=200", 6 },
	{ "xot dispatch tgid=61 w=100 gw=100 vm=6 gcg=0 vw=100", 4 },
	{ "xot dispatch tgid=7 w=100 gw=100", 1 },
	{ "xot dispatch tgid=8 w=300 gw=100", 3 },
};

static void test_targets(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_report rep;
	struct xt_err err = { "" };
	const struct xt_ent *e;
	uint64_t sector = 0;

	serve(&g, 0, tree, 5, 10, MS, &sector);
	CHECK(analyse_gen(&a, &g, "tree.blktrace.0", &err) == 0);
	CHECK(a.nreq == 160);
	CHECK(xt_report_build(&rep, &a, 1, NULL, &err) == 0);
	CHECK(rep.weighted && !rep.cgroup_ids);
	CHECK(rep.lv[XT_L_TOP].n == 3 && rep.lv[XT_L_GROUP].n == 4 && rep.lv[XT_L_PROC].n == 5);
	e = ent(&rep, XT_L_TOP, "vm5");
	CHECK(e && e->weight == 200 && NEAR(e->target, 0.5) && NEAR(e->share[XT_M_RQS], 0.5));
	e = ent(&rep, XT_L_TOP, "vm6");
	CHECK(e && NEAR(e->target, 0.25));
	e = ent(&rep, XT_L_TOP, "cg?gw=100");
	CHECK(e && NEAR(e->target, 0.25) && !strcmp(e->kind, "cgroup"));
	e = ent(&rep, XT_L_GROUP, "vm5/cg10");
	CHECK(e && e->weight == 100 && NEAR(e->target, 0.125) && !strcmp(e->kind, "guest-cgroup"));
	e = ent(&rep, XT_L_GROUP, "vm5/cg20");
	CHECK(e && NEAR(e->target, 0.375));
	e = ent(&rep, XT_L_GROUP, "vm6/-");
	CHECK(e && NEAR(e->target, 0.25) && !strcmp(e->kind, "vm-queue"));
	e = ent(&rep, XT_L_PROC, "cg?gw=100/tgid7");
	CHECK(e && NEAR(e->target, 0.0625) && NEAR(e->share[XT_M_BYTES], 0.0625));
	e = ent(&rep, XT_L_PROC, "cg?gw=100/tgid8");
	CHECK(e && e->weight == 300 && NEAR(e->target, 0.1875));
	e = ent(&rep, XT_L_PROC, "vm6/-/tgid61");
	CHECK(e && NEAR(e->target, 0.25));
	CHECK(NEAR(rep.lv[XT_L_TOP].jain[XT_M_TIME], 1));
	CHECK(NEAR(rep.lv[XT_L_PROC].jain[XT_M_RQS], 1));
	/* device time: each request 1 ms from issue to completion */
	e = ent(&rep, XT_L_TOP, "vm5");
	CHECK(e && e->d2c.n == 80 && NEAR(e->d2c.p50, 1000 - 0.002) && NEAR(e->d2c.p99, 999.998));
	xt_report_free(&rep);
	xt_attr_free(&a);
	g_free(&g);
}

/*
 * Windows of 1 s: in the first second A (w 100) and B (w 300) share 1:3
 * as they should; in the second only A runs (target 1, achieved 1); in the
 * third they share 1:1 (targets .25/.75: Jain of (2, 2/3) = 0.8).
 */
static void test_windows(void)
{
	static const struct flow ab13[] = {
		{ "xot dispatch tgid=1 w=100 gw=100", 1 },
		{ "xot dispatch tgid=2 w=300 gw=100", 3 },
	};
	static const struct flow a_only[] = { { "xot dispatch tgid=1 w=100 gw=100", 1 } };
	static const struct flow ab11[] = {
		{ "xot dispatch tgid=1 w=100 gw=100", 1 },
		{ "xot dispatch tgid=2 w=300 gw=100", 1 },
	};
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_report rep;
	struct xt_err err = { "" };
	const struct xt_levelres *P;
	uint64_t t, sector = 0;
	const struct xt_ent *ea, *eb;
	size_t ia, ib;

	/* 100 ms per request: 10 a second; start exactly at 0 */
	t = serve(&g, 0, ab13, 2, 2, 100 * MS, &sector);		/* 0.0 .. 0.8 */
	t = serve(&g, t, a_only, 1, 2, 100 * MS, &sector);		/* .. 1.0 */
	CHECK(t == 1000 * MS);
	t = serve(&g, t + 50 * MS, a_only, 1, 9, 100 * MS, &sector);	/* 1.05 .. 1.95 */
	t = serve(&g, 2000 * MS, ab11, 2, 5, 100 * MS, &sector);	/* 2.0 .. 3.0 */
	CHECK(analyse_gen(&a, &g, "windows.blktrace.0", &err) == 0);
	CHECK(xt_report_build(&rep, &a, 1, NULL, &err) == 0);
	CHECKF(rep.nwin == 3, "%zu", rep.nwin);
	P = &rep.lv[XT_L_PROC];
	ea = ent(&rep, XT_L_PROC, "cg?gw=100/tgid1");
	eb = ent(&rep, XT_L_PROC, "cg?gw=100/tgid2");
	CHECK(ea && eb);
	if (!ea || !eb || rep.nwin != 3)
		goto out;
	ia = (size_t)(ea - P->e);
	ib = (size_t)(eb - P->e);
	/* window 0: completions at .1 .. 1.0; the one at exactly 1.0 s is window 1 */
	CHECK(P->cell[ia].v[XT_M_RQS] == 3 && P->cell[ib].v[XT_M_RQS] == 6);
	CHECK(NEAR(P->cell[ia].target, 0.25) && NEAR(P->cell[ib].target, 0.75));
	/* window 1: A alone: target 1 */
	CHECK(P->cell[P->n + ia].v[XT_M_RQS] == 10 && P->cell[P->n + ib].v[XT_M_RQS] == 0);
	CHECK(NEAR(P->cell[P->n + ia].target, 1) && P->cell[P->n + ib].target < 0);
	CHECK(NEAR(P->wjain[1 * XT_NMETRICS + XT_M_RQS], 1));
	/* window 2: 1:1 against 1:3 */
	CHECK(P->cell[2 * P->n + ia].v[XT_M_RQS] == 5 && P->cell[2 * P->n + ib].v[XT_M_RQS] == 5);
	CHECK(NEAR(P->wjain[2 * XT_NMETRICS + XT_M_RQS], 0.8));
	/* overall: A 18 of 29, B 11; targets .25/.75 (both active) */
	CHECK(ea->v[XT_M_RQS] == 18 && eb->v[XT_M_RQS] == 11);
	CHECK(NEAR(ea->target, 0.25) && NEAR(eb->target, 0.75));
out:
	xt_report_free(&rep);
	xt_attr_free(&a);
	g_free(&g);
}

/* nearest-rank percentiles of 1..100 ms, and queue->complete from Q */
static void test_percentiles(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_report rep;
	struct xt_err err = { "" };
	const struct xt_ent *e;
	uint64_t t = 0;
	int i;

	for (i = 1; i <= 100; i++) {
		/* shuffled order of service times: 37 * i mod 101 covers 1..100 */
		uint64_t svc = (uint64_t)((37 * i) % 101) * MS;

		g_q(&g, t, 0, 8 * (uint64_t)i, 77);
		g_msg(&g, t + 2 * MS, 0, "xot dispatch tgid=77 w=100 gw=100");
		g_d(&g, t + 2 * MS, 0, 8 * (uint64_t)i, 4096);
		g_c(&g, t + 2 * MS + svc, 0, 8 * (uint64_t)i, 4096);
		t += 200 * MS;
	}
	CHECK(analyse_gen(&a, &g, "pct.blktrace.0", &err) == 0);
	CHECK(xt_report_build(&rep, &a, 1, NULL, &err) == 0);
	e = ent(&rep, XT_L_PROC, "cg?gw=100/tgid77");
	CHECK(e && e->d2c.n == 100);
	CHECKF(e && NEAR(e->d2c.p50, 50000) && NEAR(e->d2c.p90, 90000) && NEAR(e->d2c.p99, 99000),
	       "%f %f %f", e ? e->d2c.p50 : 0, e ? e->d2c.p90 : 0, e ? e->d2c.p99 : 0);
	CHECK(e && e->q2c.n == 100 && NEAR(e->q2c.p50, 52000) && NEAR(e->q2c.p99, 101000));
	xt_report_free(&rep);
	xt_attr_free(&a);
	g_free(&g);
}

/* Jain's index against targets: 1 when on target; the known value off it */
static void test_jain(void)
{
	static const struct flow off[] = {
		{ "xot dispatch tgid=1 w=100 gw=100", 1 },	/* target .25, gets .5 */
		{ "xot dispatch tgid=2 w=300 gw=100", 1 },	/* target .75, gets .5 */
	};
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_report rep;
	struct xt_err err = { "" };
	uint64_t sector = 0;

	serve(&g, 0, off, 2, 10, MS, &sector);
	CHECK(analyse_gen(&a, &g, "jain.blktrace.0", &err) == 0);
	CHECK(xt_report_build(&rep, &a, 1, NULL, &err) == 0);
	/* x = (2, 2/3): (8/3)^2 / (2 * (4 + 4/9)) = 0.8 */
	CHECK(NEAR(rep.lv[XT_L_PROC].jain[XT_M_RQS], 0.8));
	/* one cgroup at the top: on target by definition */
	CHECK(NEAR(rep.lv[XT_L_TOP].jain[XT_M_RQS], 1));
	xt_report_free(&rep);
	xt_attr_free(&a);
	g_free(&g);
}

/* cgroup ids in the trace (blk_cgroup on) and their paths (--cgroup-root) */
static void test_cgroup_paths(void)
{
	struct gen g = { 0 };
	struct xt_attr a;
	struct xt_report rep;
	struct xt_err err = { "" };
	struct xt_cgmap *cg;
	struct stat st;
	const char *root = tmp_path("cgroot");
	char gold[300], msg[80];

	mkdir(root, 0755);
	snprintf(gold, sizeof(gold), "%s/gold", root);
	mkdir(gold, 0755);
	CHECK(stat(gold, &st) == 0);
	snprintf(msg, sizeof(msg), "xot dispatch tgid=9 w=100 gw=800");
	/* Q with the cgroup id, as the kernel writes it with blk_cgroup on */
	g_rec(&g, 1, A_Q | XT_TA_CGROUP, 0, 0, 4096, 9, 1, (uint64_t)st.st_ino, NULL, 0);
	g_msg_cg(&g, 2, 0, (uint64_t)st.st_ino, msg);
	g_d(&g, 3, 0, 0, 4096);
	g_c(&g, 4, 0, 0, 4096);
	g_msg_cg(&g, 5, 0, 4242, msg);
	g_d(&g, 6, 0, 8, 4096);
	g_c(&g, 7, 0, 8, 4096);
	CHECK(analyse_gen(&a, &g, "cg.blktrace.0", &err) == 0);
	cg = xt_cgmap_load(root, &err);
	CHECK(cg != NULL);
	CHECK(cg && xt_cgmap_path(cg, (uint64_t)st.st_ino) &&
	      !strcmp(xt_cgmap_path(cg, (uint64_t)st.st_ino), "/gold"));
	CHECK(xt_report_build(&rep, &a, 1, cg, &err) == 0);
	CHECK(rep.cgroup_ids);
	CHECK(ent(&rep, XT_L_TOP, "cg:/gold") != NULL);
	CHECK(ent(&rep, XT_L_TOP, "cg#4242") != NULL);
	CHECK(ent(&rep, XT_L_PROC, "cg:/gold/tgid9") != NULL);
	xt_report_free(&rep);
	xt_cgmap_free(cg);
	CHECK(xt_cgmap_load(tmp_path("nosuchdir"), &err) == NULL);
	CHECK(strstr(err.msg, "not a directory") != NULL);
	xt_attr_free(&a);
	g_free(&g);
}

/* ------------------------------------------------------------ outputs */

static char *render(const struct xt_report *r, int what, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	if (what == 0)
		xt_write_json(f, r);
	else if (what == 1)
		xt_write_svg(f, r, XT_M_TIME, XT_L_TOP, NULL);
	else
		xt_write_text(f, r, XT_M_TIME, XT_L_TOP);
	fclose(f);
	return buf;
}

static int count(const char *s, const char *sub)
{
	int n = 0;

	for (; (s = strstr(s, sub)); s++)
		n++;
	return n;
}

/* the tree scenario over 2.5 windows, with two pid-attributed requests */
static void golden_trace(struct xt_attr *a, struct xt_err *err)
{
	struct gen g = { 0 };
	uint64_t sector = 0, t;

	g_proc(&g, 0, 4000, "dd");
	t = serve(&g, 0, tree, 5, 4, 20 * MS, &sector);
	g_q(&g, t, 0, 1 << 20, 4000);
	g_d(&g, t + 1 * MS, 0, 1 << 20, 65536);
	g_c(&g, t + 3 * MS, 0, 1 << 20, 65536);
	serve(&g, t + 5 * MS, tree, 3, 3, 25 * MS, &sector);
	CHECK(analyse_gen(a, &g, "golden.blktrace.0", err) == 0);
	g_free(&g);
}

static void test_golden_json(void)
{
	struct xt_attr a;
	struct xt_report rep;
	struct xt_err err = { "" };
	char *out, *want = NULL;
	size_t len, wlen = 0;
	FILE *f;

	golden_trace(&a, &err);
	CHECK(xt_report_build(&rep, &a, 0.5, NULL, &err) == 0);
	out = render(&rep, 0, &len);
	CHECK(out != NULL);
	if (getenv("XOT_UPDATE_GOLDEN")) {
		f = fopen(TRACE_GOLDEN, "w");
		CHECK(f && fwrite(out, 1, len, f) == len);
		if (f)
			fclose(f);
	}
	f = fopen(TRACE_GOLDEN, "r");
	CHECKF(f != NULL, "%s", TRACE_GOLDEN);
	if (f) {
		want = malloc(1 << 20);
		wlen = fread(want, 1, (1 << 20) - 1, f);
		want[wlen] = 0;
		fclose(f);
	}
	CHECKF(want && out && !strcmp(out, want),
	       "JSON differs from %s (XOT_UPDATE_GOLDEN=1 rewrites it after review)", TRACE_GOLDEN);
	CHECK(out && strstr(out, "\"name\": \"pid4000(dd)\"") != NULL);
	free(want);
	free(out);
	xt_report_free(&rep);
	xt_attr_free(&a);
}

static void test_svg_text(void)
{
	struct xt_attr a;
	struct xt_report rep;
	struct xt_err err = { "" };
	char *out;
	size_t len;

	golden_trace(&a, &err);
	CHECK(xt_report_build(&rep, &a, 0.5, NULL, &err) == 0);
	out = render(&rep, 1, &len);
	CHECK(out && !strncmp(out, "<?xml", 5) && strstr(out, "</svg>\n"));
	/* four top entities (3 weighted + dd): a solid line each, 3 dashed targets */
	CHECK(out && count(out, "stroke-dasharray") == 4);
	CHECK(out && count(out, "stroke-width=\"2.5\"") == 4);
	CHECK(out && strstr(out, "vm5 (w 200: ") != NULL);
	CHECK(out && strstr(out, "Jain's index of achieved/target") != NULL);
	free(out);
	out = render(&rep, 2, &len);
	CHECK(out && strstr(out, "level top") && strstr(out, "level process"));
	CHECK(out && strstr(out, "vm5/cg20/tgid52") != NULL);
	free(out);
	xt_report_free(&rep);
	xt_attr_free(&a);
}

static const struct unit_test tests[] = {
	{ "encode-decode", test_encode_decode },
	{ "bad-magic", test_bad_magic },
	{ "bad-files", test_bad_files },
	{ "parse-msg", test_parse_msg },
	{ "batch", test_batch },
	{ "requeue-flush", test_requeue_flush },
	{ "two-cpus", test_two_cpus },
	{ "stdin", test_stdin },
	{ "bypass-front-merge", test_bypass_front_merge },
	{ "same-sector", test_same_sector },
	{ "hctx-sorted", test_hctx_sorted },
	{ "no-messages", test_no_messages },
	{ "targets", test_targets },
	{ "windows", test_windows },
	{ "percentiles", test_percentiles },
	{ "jain", test_jain },
	{ "cgroup-paths", test_cgroup_paths },
	{ "golden-json", test_golden_json },
	{ "svg-text", test_svg_text },
};

static int run(int argc, char **argv)
{
	int rc = unit_main("trace", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
	char cmd[128];

	if (tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return rc;
}

int main(int argc, char **argv)
{
	return run(argc, argv);
}
