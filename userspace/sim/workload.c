// SPDX-License-Identifier: GPL-2.0
/*
 * The workload spec: a line-oriented text file describing the device, the
 * elevator's tunables, the cgroup tree with its weights, the processes with
 * their request generators and the recorded traces to replay. The grammar
 * is in userspace/sim/README.md; every error names FILE:LINE.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define MAX_TOKENS	64
#define MAX_LINE	4096

/* ---------------------------------------------------------------- settings */

const char *const sim_setting_names =
	"depth servers service bandwidth dist max_inflight idle_credit nr_requests slot_hold duration warmup seed";

enum setting_group { S_DEVICE, S_ELEVATOR, S_RUN };

static int parse_bandwidth(const char *v, u64 *bw, struct sim_err *e)
{
	size_t n = strlen(v);
	char buf[64];

	if (!strcmp(v, "0")) {
		*bw = 0;
		return 0;
	}
	if (n < 3 || n >= sizeof(buf) || strcmp(v + n - 2, "/s"))
		return sim_fail(e, "'%s' is not a bandwidth (a size per second: 200M/s, or 0)",
				v);
	memcpy(buf, v, n - 2);
	buf[n - 2] = 0;
	if (sim_parse_size(buf, bw, e))
		return -1;
	if (!*bw)
		return sim_fail(e, "bandwidth '%s' is 0 (write 0 for no per-byte time)", v);
	return 0;
}

/*
 * Set one setting; @group limits which names are allowed (a device line
 * cannot set max_inflight); -2 if @key is not a setting of @group.
 */
static int set_setting(struct sim_model *m, int group, const char *key, const char *v,
		       struct sim_err *e)
{
	struct sim_settings *s = &m->set;
	u64 x;

	if (group == S_DEVICE) {
		if (!strcmp(key, "depth")) {
			if (sim_parse_u64(v, 1, SIM_MAX_DEPTH, &x, e))
				return -1;
			s->dev.depth = (u32)x;
		} else if (!strcmp(key, "servers")) {
			if (sim_parse_u64(v, 0, SIM_MAX_DEPTH, &x, e))
				return -1;
			s->dev.servers = (u32)x;
		} else if (!strcmp(key, "service")) {
			if (sim_parse_time(v, &s->dev.service_ns, e))
				return -1;
		} else if (!strcmp(key, "bandwidth")) {
			if (parse_bandwidth(v, &s->dev.bw, e))
				return -1;
		} else if (!strcmp(key, "dist")) {
			if (!strcmp(v, "fixed"))
				s->dev.dist = SIM_DIST_FIXED;
			else if (!strcmp(v, "exp"))
				s->dev.dist = SIM_DIST_EXP;
			else
				return sim_fail(e, "'%s' is not a distribution (fixed, exp)", v);
		} else {
			return -2;
		}
	} else if (group == S_ELEVATOR) {
		if (!strcmp(key, "max_inflight")) {
			/* the sysfs tunable's range */
			if (sim_parse_u64(v, 0, 4096, &x, e))
				return -1;
			s->max_inflight = (u32)x;
		} else if (!strcmp(key, "idle_credit")) {
			if (sim_parse_u64(v, 0, 4096, &x, e))
				return -1;
			s->idle_credit = (u32)x;
		} else if (!strcmp(key, "nr_requests")) {
			if (sim_parse_u64(v, 0, SIM_MAX_DEPTH, &x, e))
				return -1;
			s->nr_requests = (u32)x;
		} else if (!strcmp(key, "slot_hold")) {
			if (sim_parse_time(v, &s->slot_hold_ns, e))
				return -1;
		} else {
			return -2;
		}
	} else {
		if (!strcmp(key, "duration")) {
			if (sim_parse_time(v, &s->duration_ns, e))
				return -1;
			m->duration_set = true;
		} else if (!strcmp(key, "warmup")) {
			if (sim_parse_time(v, &s->warmup_ns, e))
				return -1;
		} else if (!strcmp(key, "seed")) {
			if (sim_parse_u64(v, 0, UINT64_MAX, &s->seed, e))
				return -1;
		} else {
			return -2;
		}
	}
	return 0;
}

int sim_apply_override(struct sim_model *m, const char *key, const char *value,
		       struct sim_err *e)
{
	struct sim_err sub;
	int g, ret;

	for (g = S_DEVICE; g <= S_RUN; g++) {
		ret = set_setting(m, g, key, value, &sub);
		if (ret == -2)
			continue;
		if (ret)
			return sim_fail(e, "%s=%s: %s", key, value, sub.msg);
		return 0;
	}
	return sim_fail(e, "'%s' is neither a variable of the spec nor a setting (%s)",
			key, sim_setting_names);
}

/* ------------------------------------------------------------------ parser */

struct var {
	char *name;
	char *value;
};

/* a trace or blkparse statement, loaded once every cgroup is declared */
struct pending_trace {
	char *file;
	char *map;		/* NULL: a CSV trace */
	char *dev;
	int line;
};

struct parser {
	struct sim_model *m;
	const char *fname;
	const char *dir;
	int line;
	struct sim_override *ov;
	size_t nov;
	struct var *vars;
	size_t nvars, vars_cap;
	struct pending_trace *pt;
	size_t npt, pt_cap;
	int device_line, elevator_line;
	int stmt_line[4];	/* duration, warmup, seed, name */
	struct sim_err sub;	/* message of a failed number, to prefix */
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sim_fail_at(&p->sub, p->fname, p->line, "%s", msg);
}

static const char *var_get(struct parser *p, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < p->nvars; i++)
		if (strlen(p->vars[i].name) == len && !strncmp(p->vars[i].name, name, len))
			return p->vars[i].value;
	return NULL;
}

static bool var_char(char c, bool first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* Expand $NAME and ${NAME} of @in into @out. */
static int expand(struct parser *p, const char *in, char *out, size_t len)
{
	size_t o = 0, n;
	const char *name, *val;
	bool brace;

	while (*in) {
		if (*in != '$') {
			if (o + 1 >= len)
				return perr(p, "line too long after expanding variables");
			out[o++] = *in++;
			continue;
		}
		in++;
		brace = *in == '{';
		if (brace)
			in++;
		name = in;
		while (var_char(*in, in == name))
			in++;
		n = (size_t)(in - name);
		if (!n || (brace && *in != '}'))
			return perr(p, "malformed variable reference (write $NAME or ${NAME})");
		if (brace)
			in++;
		val = var_get(p, name, n);
		if (!val)
			return perr(p, "undefined variable $%.*s (declare it first: var %.*s VALUE)",
				    (int)n, name, (int)n, name);
		if (o + strlen(val) + 1 >= len)
			return perr(p, "line too long after expanding variables");
		memcpy(out + o, val, strlen(val));
		o += strlen(val);
	}
	out[o] = 0;
	return 0;
}

static int tokenize(struct parser *p, char *s, char **tok)
{
	int n = 0;

	for (;;) {
		while (*s && isspace((unsigned char)*s))
			*s++ = 0;
		if (!*s)
			return n;
		if (n == MAX_TOKENS)
			return perr(p, "more than %d words on one line", MAX_TOKENS);
		tok[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
	}
}

/* split "key=value"; NULL value if there is no '=' */
static char *split_kv(char *tok)
{
	char *eq = strchr(tok, '=');

	if (!eq)
		return NULL;
	*eq = 0;
	return eq + 1;
}

static char *resolve_file(struct parser *p, const char *name)
{
	if (name[0] == '/' || !p->dir || !*p->dir)
		return sim_xstrdup(name);
	return sim_xasprintf("%s/%s", p->dir, name);
}

static int once(struct parser *p, int *line, const char *what)
{
	if (*line)
		return perr(p, "%s given twice (first at line %d)", what, *line);
	*line = p->line;
	return 0;
}

static int st_var(struct parser *p, char **tok, int n)
{
	struct var *v;
	const char *val;
	size_t i;

	if (n != 3)
		return perr(p, "usage: var NAME VALUE");
	for (i = 0; tok[1][i]; i++)
		if (!var_char(tok[1][i], i == 0))
			return perr(p, "'%s' is not a variable name (letters, digits, '_')", tok[1]);
	if (var_get(p, tok[1], strlen(tok[1])))
		return perr(p, "variable %s declared twice", tok[1]);
	val = tok[2];
	for (i = 0; i < p->nov; i++) {
		if (!strcmp(p->ov[i].key, tok[1])) {
			val = p->ov[i].value;
			p->ov[i].used = true;
		}
	}
	sim_grow(&p->vars, &p->vars_cap, p->nvars + 1, sizeof(*p->vars));
	v = &p->vars[p->nvars++];
	v->name = sim_xstrdup(tok[1]);
	v->value = sim_xstrdup(val);
	return 0;
}

static int st_settings(struct parser *p, char **tok, int n, int group)
{
	int i, ret;
	char *v;

	if (once(p, group == S_DEVICE ? &p->device_line : &p->elevator_line, tok[0]))
		return -1;
	if (n < 2)
		return perr(p, "%s: no settings (KEY=VALUE ...)", tok[0]);
	for (i = 1; i < n; i++) {
		v = split_kv(tok[i]);
		if (!v)
			return perr(p, "%s: '%s' is not KEY=VALUE", tok[0], tok[i]);
		ret = set_setting(p->m, group, tok[i], v, &p->sub);
		if (ret == -2)
			return perr(p, "%s: unknown setting '%s' (%s)", tok[0], tok[i],
				    group == S_DEVICE ? "depth, servers, service, bandwidth, dist" :
				    "max_inflight, idle_credit, nr_requests, slot_hold");
		if (ret)
			return perr(p, "%s: %s: %s", tok[0], tok[i], p->sub.msg);
	}
	return 0;
}

static int st_single(struct parser *p, char **tok, int n, int idx)
{
	if (n != 2)
		return perr(p, "usage: %s VALUE", tok[0]);
	if (once(p, &p->stmt_line[idx], tok[0]))
		return -1;
	if (idx == 3) {
		free(p->m->name);
		p->m->name = sim_xstrdup(tok[1]);
		return 0;
	}
	if (set_setting(p->m, S_RUN, tok[0], tok[1], &p->sub))
		return perr(p, "%s: %s", tok[0], p->sub.msg);
	return 0;
}

static int st_cgroup(struct parser *p, char **tok, int n)
{
	struct sim_cgroup *parent, *cg;
	char ppath[256];
	u64 w;

	if (n != 3)
		return perr(p, "usage: cgroup PATH WEIGHT");
	if (sim_check_path(tok[1], &p->sub))
		return perr(p, "%s", p->sub.msg);
	if (!strcmp(tok[1], "/"))
		return perr(p, "the root cgroup '/' has no weight: declare the cgroups below it");
	if (sim_parse_u64(tok[2], XOT_WEIGHT_MIN, XOT_WEIGHT_MAX, &w, &p->sub))
		return perr(p, "cgroup %s: weight %s", tok[1], p->sub.msg);
	cg = sim_cgroup_find(p->m, tok[1]);
	if (cg)
		return perr(p, "cgroup %s declared twice (first at line %d)", tok[1], cg->wline);
	sim_path_parent(tok[1], ppath, sizeof(ppath));
	parent = sim_cgroup_find(p->m, ppath);
	if (!parent)
		return perr(p, "cgroup %s: its parent %s is not declared (declare parents first)",
			    tok[1], ppath);
	cg = sim_cgroup_add(p->m, parent, tok[1], (u32)w);
	cg->wfile = sim_xstrdup(p->fname);
	cg->wline = p->line;
	return 0;
}

static int parse_prio(struct parser *p, const char *v, u32 *weight)
{
	static const char *const cls[] = { "none", "rt", "be", "idle" };
	u64 level = 4;
	size_t len;
	int c;

	for (c = 0; c < 4; c++) {
		len = strlen(cls[c]);
		if (strncmp(v, cls[c], len))
			continue;
		if (v[len] == '/') {
			if (c == 0 || c == 3 || sim_parse_u64(v + len + 1, 0, 7, &level, &p->sub))
				break;
		} else if (v[len]) {
			continue;
		}
		*weight = sim_ioprio_weight(c, (int)level);
		return 0;
	}
	return perr(p, "prio=%s: not an I/O priority (rt/0..7, be/0..7, idle, none)", v);
}

static int st_process(struct parser *p, char **tok, int n)
{
	struct sim_model *m = p->m;
	struct sim_proc *pr;
	struct sim_cgroup *cg;
	bool have_weight = false, closed_opt = false;
	u64 x;
	int i;
	char *v;

	if (n < 4)
		return perr(p, "usage: process NAME CGROUP closed|open [KEY=VALUE ...]");
	if (sim_check_name(tok[1], &p->sub))
		return perr(p, "%s", p->sub.msg);
	cg = sim_cgroup_find(m, tok[2]);
	if (!cg) {
		if (sim_check_path(tok[2], &p->sub))
			return perr(p, "process %s: %s", tok[1], p->sub.msg);
		return perr(p, "process %s: cgroup %s is not declared", tok[1], tok[2]);
	}
	for (i = 0; i < (int)m->nproc; i++)
		if (m->proc[i]->cg == cg && !strcmp(m->proc[i]->name, tok[1]))
			return perr(p, "process %s in %s declared twice (first at line %d)",
				    tok[1], tok[2], m->proc[i]->line);

	pr = sim_xcalloc(1, sizeof(*pr));
	sim_grow(&m->proc, &m->proc_cap, m->nproc + 1, sizeof(*m->proc));
	m->proc[m->nproc++] = pr;
	pr->name = sim_xstrdup(tok[1]);
	pr->cg = cg;
	pr->line = p->line;
	pr->iodepth = 1;
	pr->bytes = 4096;
	pr->op = SIM_OP_READ;
	pr->weight = XOT_WEIGHT_DEFAULT;
	if (!strcmp(tok[3], "closed"))
		pr->gen = SIM_GEN_CLOSED;
	else if (!strcmp(tok[3], "open"))
		pr->gen = SIM_GEN_OPEN;
	else
		return perr(p, "process %s: '%s' is not a generator (closed, open)", tok[1], tok[3]);

	for (i = 4; i < n; i++) {
		const char *k = tok[i];

		v = split_kv(tok[i]);
		if (!v)
			return perr(p, "process %s: '%s' is not KEY=VALUE", tok[1], k);
		if (!strcmp(k, "iodepth")) {
			if (sim_parse_u64(v, 1, SIM_MAX_DEPTH, &x, &p->sub))
				goto bad;
			pr->iodepth = (u32)x;
			closed_opt = true;
		} else if (!strcmp(k, "think")) {
			if (sim_parse_time(v, &pr->think_ns, &p->sub))
				goto bad;
			closed_opt = true;
		} else if (!strcmp(k, "rate")) {
			if (pr->gen != SIM_GEN_OPEN)
				return perr(p, "process %s: rate= is for open-loop processes", tok[1]);
			if (sim_parse_real(v, &pr->rate, &p->sub))
				goto bad;
			if (pr->rate <= 0 || pr->rate > 1e9)
				return perr(p, "process %s: rate=%s: wants 0 < rate <= 1e9 requests/s",
					    tok[1], v);
		} else if (!strcmp(k, "bs")) {
			if (sim_parse_size(v, &x, &p->sub))
				goto bad;
			if (x < SIM_SECTOR_SIZE || x > SIM_MAX_BYTES || x % SIM_SECTOR_SIZE)
				return perr(p, "process %s: bs=%s: wants a multiple of 512 bytes, 512 to 64M",
					    tok[1], v);
			pr->bytes = (u32)x;
		} else if (!strcmp(k, "op")) {
			if (!strcmp(v, "read"))
				pr->op = SIM_OP_READ;
			else if (!strcmp(v, "write"))
				pr->op = SIM_OP_WRITE;
			else if (!strcmp(v, "syncwrite"))
				pr->op = SIM_OP_SYNCWRITE;
			else
				return perr(p, "process %s: op=%s: not an operation (read, write, syncwrite)",
					    tok[1], v);
		} else if (!strcmp(k, "prio") || !strcmp(k, "weight")) {
			if (have_weight)
				return perr(p, "process %s: give prio= or weight= once", tok[1]);
			have_weight = true;
			if (k[0] == 'p') {
				if (parse_prio(p, v, &pr->weight))
					return -1;
			} else {
				if (sim_parse_u64(v, XOT_WEIGHT_MIN, XOT_WEIGHT_MAX, &x, &p->sub))
					goto bad;
				pr->weight = (u32)x;
			}
		} else if (!strcmp(k, "start")) {
			if (sim_parse_time(v, &pr->start_ns, &p->sub))
				goto bad;
		} else if (!strcmp(k, "stop")) {
			if (sim_parse_time(v, &pr->stop_ns, &p->sub))
				goto bad;
		} else {
			return perr(p, "process %s: unknown option '%s' (iodepth, think, rate, bs, op, prio, weight, start, stop)",
				    tok[1], k);
		}
		continue;
bad:
		return perr(p, "process %s: %s: %s", tok[1], k, p->sub.msg);
	}
	if (pr->gen == SIM_GEN_OPEN && closed_opt)
		return perr(p, "process %s: iodepth= and think= are for closed-loop processes", tok[1]);
	if (pr->gen == SIM_GEN_OPEN && pr->rate <= 0)
		return perr(p, "process %s: an open-loop process needs rate=IOPS", tok[1]);
	if (pr->stop_ns && pr->stop_ns <= pr->start_ns)
		return perr(p, "process %s: stop= must be after start=", tok[1]);
	if (pr->op == SIM_OP_WRITE && have_weight)
		return perr(p, "process %s: op=write is async I/O, queued in %s's shared queue (weight 100): prio= and weight= apply to sync I/O only",
			    tok[1], cg->path);
	pr->q = sim_queue_for(m, cg, pr->name, pr->op);
	if (!pr->q->shared)
		xot_entity_set_weight(&pr->q->entity, pr->weight);
	return 0;
}

static int st_trace(struct parser *p, char **tok, int n, bool blkparse)
{
	struct pending_trace *t;
	char *map = NULL, *dev = NULL, *v;
	int i;

	if (n < 2)
		return perr(p, blkparse ? "usage: blkparse FILE map=PIDMAP [dev=MAJ,MIN]" :
			    "usage: trace FILE.csv");
	if (!blkparse && n != 2)
		return perr(p, "usage: trace FILE.csv");
	for (i = 2; i < n; i++) {
		const char *k = tok[i];

		v = split_kv(tok[i]);
		if (v && !strcmp(k, "map") && !map && *v) {
			map = v;
		} else if (v && !strcmp(k, "dev") && !dev && *v) {
			dev = v;
		} else {
			return perr(p, "blkparse: unexpected '%s%s%s' (map=PIDMAP, dev=MAJ,MIN)",
				    k, v ? "=" : "", v ? v : "");
		}
	}
	if (blkparse && !map)
		return perr(p, "blkparse %s: needs map=PIDMAP (lines 'PID CGROUP [WEIGHT]')", tok[1]);
	sim_grow(&p->pt, &p->pt_cap, p->npt + 1, sizeof(*p->pt));
	t = &p->pt[p->npt++];
	t->file = resolve_file(p, tok[1]);
	t->map = map ? resolve_file(p, map) : NULL;
	t->dev = dev ? sim_xstrdup(dev) : NULL;
	t->line = p->line;
	return 0;
}

static int parse_line(struct parser *p, char *raw)
{
	char buf[MAX_LINE], *tok[MAX_TOKENS], *hash;
	int n;

	hash = strchr(raw, '#');
	if (hash)
		*hash = 0;
	if (expand(p, raw, buf, sizeof(buf)))
		return -1;
	n = tokenize(p, buf, tok);
	if (n <= 0)
		return n;
	if (!strcmp(tok[0], "var"))
		return st_var(p, tok, n);
	if (!strcmp(tok[0], "device"))
		return st_settings(p, tok, n, S_DEVICE);
	if (!strcmp(tok[0], "elevator"))
		return st_settings(p, tok, n, S_ELEVATOR);
	if (!strcmp(tok[0], "duration"))
		return st_single(p, tok, n, 0);
	if (!strcmp(tok[0], "warmup"))
		return st_single(p, tok, n, 1);
	if (!strcmp(tok[0], "seed"))
		return st_single(p, tok, n, 2);
	if (!strcmp(tok[0], "name"))
		return st_single(p, tok, n, 3);
	if (!strcmp(tok[0], "cgroup"))
		return st_cgroup(p, tok, n);
	if (!strcmp(tok[0], "process"))
		return st_process(p, tok, n);
	if (!strcmp(tok[0], "trace"))
		return st_trace(p, tok, n, false);
	if (!strcmp(tok[0], "blkparse"))
		return st_trace(p, tok, n, true);
	return perr(p, "unknown statement '%s' (var, name, device, elevator, duration, warmup, seed, cgroup, process, trace, blkparse)",
		    tok[0]);
}

int sim_spec_parse(struct sim_model *m, FILE *f, const char *fname, const char *dir,
		   struct sim_override *ov, size_t nov, struct sim_err *e)
{
	struct parser p;
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t len;
	int ret = 0;

	memset(&p, 0, sizeof(p));
	p.m = m;
	p.fname = fname;
	p.dir = dir;
	p.ov = ov;
	p.nov = nov;
	while ((len = getline(&line, &cap, f)) >= 0) {
		p.line++;
		if (len >= MAX_LINE) {
			ret = perr(&p, "line longer than %d characters", MAX_LINE - 1);
			break;
		}
		if (memchr(line, 0, (size_t)len)) {
			ret = perr(&p, "a NUL byte (is this a text file?)");
			break;
		}
		ret = parse_line(&p, line);
		if (ret)
			break;
	}
	free(line);
	if (!ret && ferror(f))
		ret = sim_fail_at(&p.sub, fname, 0, "read error");
	/* traces last: they may name cgroups declared after them */
	for (i = 0; !ret && i < p.npt; i++) {
		struct pending_trace *t = &p.pt[i];

		if (t->map)
			ret = sim_trace_load_blkparse(m, t->file, t->map, t->dev, &p.sub);
		else
			ret = sim_trace_load_csv(m, t->file, &p.sub);
		if (ret) {
			char msg[sizeof(p.sub.msg)];

			memcpy(msg, p.sub.msg, sizeof(msg));
			sim_fail_at(&p.sub, fname, t->line, "%s", msg);
		}
	}
	if (ret)
		memcpy(e->msg, p.sub.msg, sizeof(e->msg));
	for (i = 0; i < p.nvars; i++) {
		free(p.vars[i].name);
		free(p.vars[i].value);
	}
	free(p.vars);
	for (i = 0; i < p.npt; i++) {
		free(p.pt[i].file);
		free(p.pt[i].map);
		free(p.pt[i].dev);
	}
	free(p.pt);
	return ret;
}

int sim_model_finish(struct sim_model *m, struct sim_err *e)
{
	struct sim_settings *s = &m->set;
	size_t i;

	if (!m->nproc && !m->narr)
		return sim_fail(e, "nothing to simulate: no process and no trace request");
	if (!m->duration_set && !m->nproc)
		s->duration_ns = 0;	/* a trace alone: until it is all complete */
	if (s->dev.servers > s->dev.depth)
		return sim_fail(e, "device: servers=%u is more than depth=%u", s->dev.servers,
				s->dev.depth);
	if (!s->dev.service_ns && !s->dev.bw)
		return sim_fail(e, "device: no service time (give service=TIME, bandwidth=SIZE/s or both)");
	if (s->duration_ns && s->warmup_ns >= s->duration_ns) {
		char w[32], d[32];

		return sim_fail(e, "warmup %s must be shorter than the duration %s",
				sim_fmt_time(w, sizeof(w), s->warmup_ns),
				sim_fmt_time(d, sizeof(d), s->duration_ns));
	}
	for (i = 0; i < m->nproc; i++) {
		struct sim_proc *pr = m->proc[i];

		if (!s->duration_ns && !pr->stop_ns)
			return sim_fail(e, "duration 0 runs until every request is complete: process %s (line %d) needs stop=TIME",
					pr->name, pr->line);
		/* one stream per process: adding one does not change the others */
		sim_rng_seed(&pr->rng, s->seed, i + 1);
	}
	if (!m->name)
		m->name = sim_xstrdup("sim");
	return 0;
}
