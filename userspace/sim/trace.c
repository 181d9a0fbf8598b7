// SPDX-License-Identifier: GPL-2.0
/*
 * Recorded workloads: the CSV trace format (time_us,entity_path,weight,
 * bytes,op), the import of blkparse's default text output (its Q events,
 * each process mapped to a cgroup by a pid map file), and their placement
 * into a model as open-loop arrivals. Formats: userspace/sim/README.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define CSV_HEADER	"time_us,entity_path,weight,bytes,op"
#define MAX_LINE	4096

static const char *op_name(enum sim_op op)
{
	switch (op) {
	case SIM_OP_READ:
		return "R";
	case SIM_OP_WRITE:
		return "W";
	default:
		return "WS";
	}
}

void sim_trace_free(struct sim_trace_rec *recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(recs[i].entity);
	free(recs);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

/* Check "PATH" or "PATH:PROCESS"; -1 with the reason in @e. */
static int check_entity(const char *entity, struct sim_err *e)
{
	char path[300];
	const char *colon = strchr(entity, ':');
	size_t n = colon ? (size_t)(colon - entity) : strlen(entity);

	if (n >= sizeof(path))
		return sim_fail(e, "entity '%.40s...' is too long", entity);
	memcpy(path, entity, n);
	path[n] = 0;
	if (sim_check_path(path, e))
		return -1;
	if (colon && sim_check_name(colon + 1, e))
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- CSV */

static int parse_weight_field(const char *v, u32 *w, struct sim_err *e)
{
	u64 x;

	if (!strcmp(v, "-")) {
		*w = 0;
		return 0;
	}
	if (sim_parse_u64(v, XOT_WEIGHT_MIN, XOT_WEIGHT_MAX, &x, e))
		return -1;
	*w = (u32)x;
	return 0;
}

static int parse_bytes_field(const char *v, u32 *bytes, struct sim_err *e)
{
	u64 x;

	if (sim_parse_u64(v, 1, SIM_MAX_BYTES, &x, e))
		return -1;
	if (x % SIM_SECTOR_SIZE)
		return sim_fail(e, "%s is not a multiple of 512 (whole sectors)", v);
	*bytes = (u32)x;
	return 0;
}

static int parse_op_field(const char *v, enum sim_op *op, struct sim_err *e)
{
	if (!strcmp(v, "R"))
		*op = SIM_OP_READ;
	else if (!strcmp(v, "W"))
		*op = SIM_OP_WRITE;
	else if (!strcmp(v, "WS"))
		*op = SIM_OP_SYNCWRITE;
	else
		return sim_fail(e, "'%s' is not an operation (R, W, WS)", v);
	return 0;
}

int sim_trace_parse_csv(FILE *f, const char *fname, struct sim_trace_rec **recs,
			size_t *n, struct sim_err *e)
{
	static const char *const names[5] = { "time_us", "entity_path", "weight", "bytes", "op" };
	struct sim_trace_rec *r = NULL, *rec;
	size_t nr = 0, cap = 0, lcap = 0;
	char *line = NULL, *fld[5], *s, tbuf[48];
	struct sim_err sub;
	bool first = true;
	ssize_t len;
	int lineno = 0, k, ret = 0;

	while ((len = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		if (len >= MAX_LINE) {
			ret = sim_fail_at(e, fname, lineno, "line longer than %d characters", MAX_LINE - 1);
			goto out;
		}
		if (memchr(line, 0, (size_t)len)) {
			ret = sim_fail_at(e, fname, lineno, "a NUL byte (is this a text file?)");
			goto out;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (first) {
			first = false;
			if (!strncmp(s, "time_us", 7)) {
				char *h = s, *d;

				/* the header, blanks around the commas allowed */
				for (d = h; *h; h++)
					if (!isspace((unsigned char)*h))
						*d++ = *h;
				*d = 0;
				if (strcmp(s, CSV_HEADER)) {
					ret = sim_fail_at(e, fname, lineno, "header is not '%s'", CSV_HEADER);
					goto out;
				}
				continue;
			}
		}
		for (k = 0; k < 5; k++) {
			fld[k] = s;
			s = strchr(s, ',');
			if (!s && k < 4) {
				ret = sim_fail_at(e, fname, lineno,
						  "%d fields, expected 5: time_us,entity_path,weight,bytes,op",
						  k + 1);
				goto out;
			}
			if (s)
				*s++ = 0;
			fld[k] = trim(fld[k]);
			if (!*fld[k]) {
				ret = sim_fail_at(e, fname, lineno, "empty %s field", names[k]);
				goto out;
			}
		}
		if (s) {
			ret = sim_fail_at(e, fname, lineno,
					  "more than 5 fields, expected time_us,entity_path,weight,bytes,op");
			goto out;
		}
		sim_grow(&r, &cap, nr + 1, sizeof(*r));
		rec = &r[nr];
		memset(rec, 0, sizeof(*rec));
		rec->line = lineno;
		k = 0;
		if (strlen(fld[0]) > 30 || fld[0][0] == '-') {
			sim_fail(&sub, "'%s' is not a time in microseconds", fld[0]);
			goto bad;
		}
		snprintf(tbuf, sizeof(tbuf), "%sus", fld[0]);
		if (sim_parse_time(tbuf, &rec->t_ns, &sub)) {
			sim_fail(&sub, "'%s' is not a time in microseconds (at most 3 decimals, at most 1e11)",
				 fld[0]);
			goto bad;
		}
		k = 1;
		if (check_entity(fld[1], &sub))
			goto bad;
		k = 2;
		if (parse_weight_field(fld[2], &rec->weight, &sub))
			goto bad;
		k = 3;
		if (parse_bytes_field(fld[3], &rec->bytes, &sub))
			goto bad;
		k = 4;
		if (parse_op_field(fld[4], &rec->op, &sub))
			goto bad;
		rec->entity = sim_xstrdup(fld[1]);
		nr++;
		continue;
bad:
		ret = sim_fail_at(e, fname, lineno, "%s: %s", names[k], sub.msg);
		goto out;
	}
	if (ferror(f))
		ret = sim_fail_at(e, fname, 0, "read error");
	else if (!nr)
		ret = sim_fail_at(e, fname, 0, "no requests in the trace");
out:
	free(line);
	if (ret) {
		sim_trace_free(r, nr);
		return ret;
	}
	*recs = r;
	*n = nr;
	return 0;
}

void sim_trace_write_csv(FILE *out, const struct sim_trace_rec *recs, size_t n)
{
	size_t i;

	fprintf(out, "%s\n", CSV_HEADER);
	for (i = 0; i < n; i++) {
		const struct sim_trace_rec *r = &recs[i];

		fprintf(out, "%llu.%03llu,%s,", (unsigned long long)(r->t_ns / 1000),
			(unsigned long long)(r->t_ns % 1000), r->entity);
		if (r->weight)
			fprintf(out, "%u", r->weight);
		else
			fputc('-', out);
		fprintf(out, ",%u,%s\n", r->bytes, op_name(r->op));
	}
}

/* ---------------------------------------------------------- placement */

static int cmp_rec(const void *a, const void *b)
{
	const struct sim_trace_rec *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

int sim_trace_add(struct sim_model *m, const char *fname, const struct sim_trace_rec *recs,
		  size_t n, struct sim_err *e)
{
	struct sim_trace_rec *sorted;
	struct sim_arrival *merged;
	struct sim_cgroup *cg;
	size_t a, b, k;
	char path[300];
	int ret = 0;

	sorted = sim_xmalloc(n * sizeof(*sorted));
	memcpy(sorted, recs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_rec);

	merged = sim_xmalloc((m->narr + n) * sizeof(*merged));
	for (a = 0, b = 0, k = 0; b < n; b++) {
		const struct sim_trace_rec *r = &sorted[b];
		const char *colon = strchr(r->entity, ':');
		size_t plen = colon ? (size_t)(colon - r->entity) : strlen(r->entity);

		memcpy(path, r->entity, plen);
		path[plen] = 0;
		cg = sim_cgroup_get(m, path);
		if (r->weight && !cg->parent) {
			ret = sim_fail_at(e, fname, r->line,
					  "the root cgroup / has no weight (write - in the weight field)");
			break;
		}
		if (r->weight && cg->weight != r->weight) {
			if (cg->wfile) {
				ret = sim_fail_at(e, fname, r->line,
						  "weight %u of %s differs from %u given at %s:%d",
						  r->weight, path, cg->weight, cg->wfile, cg->wline);
				break;
			}
			cg->weight = r->weight;
			xot_entity_set_weight(&cg->group.entity, r->weight);
		}
		if (r->weight && !cg->wfile) {
			cg->wfile = sim_xstrdup(fname);
			cg->wline = r->line;
		}
		/* merge with the arrivals already there, earlier sources first on ties */
		while (a < m->narr && m->arr[a].t_ns <= r->t_ns)
			merged[k++] = m->arr[a++];
		merged[k].t_ns = r->t_ns;
		merged[k].q = sim_queue_for(m, cg, colon ? colon + 1 : NULL, r->op);
		merged[k].bytes = r->bytes;
		merged[k].op = r->op;
		k++;
	}
	free(sorted);
	if (ret) {
		free(merged);
		return ret;
	}
	while (a < m->narr)
		merged[k++] = m->arr[a++];
	free(m->arr);
	m->arr = merged;
	m->narr = k;
	m->arr_cap = k;
	m->has_trace = true;
	return 0;
}

static FILE *open_input(const char *path, struct sim_err *e)
{
	FILE *f = fopen(path, "r");

	if (!f)
		sim_fail(e, "%s: cannot open: %s", path, strerror(errno));
	return f;
}

int sim_trace_load_csv(struct sim_model *m, const char *path, struct sim_err *e)
{
	struct sim_trace_rec *recs;
	FILE *f = open_input(path, e);
	size_t n;
	int ret;

	if (!f)
		return -1;
	ret = sim_trace_parse_csv(f, path, &recs, &n, e);
	fclose(f);
	if (ret)
		return ret;
	ret = sim_trace_add(m, path, recs, n, e);
	sim_trace_free(recs, n);
	return ret;
}

/* -------------------------------------------------------------- pid map */

void sim_pidmap_free(struct sim_pidmap *map)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		free(map->ent[i].path);
	free(map->ent);
	free(map->fname);
	memset(map, 0, sizeof(*map));
}

int sim_pidmap_parse(struct sim_pidmap *map, FILE *f, const char *fname, struct sim_err *e)
{
	char *line = NULL, *tok[4], *s, *hash;
	size_t lcap = 0, i;
	struct sim_err sub;
	int lineno = 0, n, ret = 0;
	ssize_t len;
	long pid;
	u64 x;

	memset(map, 0, sizeof(*map));
	map->fname = sim_xstrdup(fname);
	while ((len = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		if (memchr(line, 0, (size_t)len)) {
			ret = sim_fail_at(e, fname, lineno, "a NUL byte (is this a text file?)");
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		for (n = 0, s = strtok(line, " \t\r\n"); s; s = strtok(NULL, " \t\r\n")) {
			if (n == 3) {
				n = 4;
				break;
			}
			tok[n++] = s;
		}
		if (!n)
			continue;
		if (n < 2 || n > 3) {
			ret = sim_fail_at(e, fname, lineno, "expected 'PID CGROUP [WEIGHT]' or '* CGROUP [WEIGHT]'");
			break;
		}
		pid = -1;
		if (strcmp(tok[0], "*")) {
			if (sim_parse_u64(tok[0], 0, 4194304, &x, &sub)) {
				ret = sim_fail_at(e, fname, lineno, "pid %s", sub.msg);
				break;
			}
			pid = (long)x;
		}
		for (i = 0; i < map->n; i++)
			if (map->ent[i].pid == pid)
				break;
		if (i < map->n) {
			ret = sim_fail_at(e, fname, lineno, "pid %s mapped twice (first at line %d)",
					  tok[0], map->ent[i].line);
			break;
		}
		if (sim_check_path(tok[1], &sub)) {
			ret = sim_fail_at(e, fname, lineno, "%s", sub.msg);
			break;
		}
		x = 0;
		if (n == 3 && sim_parse_u64(tok[2], XOT_WEIGHT_MIN, XOT_WEIGHT_MAX, &x, &sub)) {
			ret = sim_fail_at(e, fname, lineno, "weight %s", sub.msg);
			break;
		}
		if (x && !strcmp(tok[1], "/")) {
			ret = sim_fail_at(e, fname, lineno, "the root cgroup / has no weight");
			break;
		}
		sim_grow(&map->ent, &map->cap, map->n + 1, sizeof(*map->ent));
		map->ent[map->n].pid = pid;
		map->ent[map->n].path = sim_xstrdup(tok[1]);
		map->ent[map->n].weight = (u32)x;
		map->ent[map->n].line = lineno;
		map->n++;
	}
	free(line);
	if (!ret && ferror(f))
		ret = sim_fail_at(e, fname, 0, "read error");
	if (!ret && !map->n)
		ret = sim_fail_at(e, fname, 0, "empty pid map (lines 'PID CGROUP [WEIGHT]')");
	if (ret)
		sim_pidmap_free(map);
	return ret;
}

int sim_pidmap_load(struct sim_pidmap *map, const char *path, struct sim_err *e)
{
	FILE *f = open_input(path, e);
	int ret;

	if (!f)
		return -1;
	ret = sim_pidmap_parse(map, f, path, e);
	fclose(f);
	return ret;
}

static const struct sim_pidmap_ent *pidmap_find(const struct sim_pidmap *map, long pid)
{
	const struct sim_pidmap_ent *star = NULL;
	size_t i;

	for (i = 0; i < map->n; i++) {
		if (map->ent[i].pid == pid)
			return &map->ent[i];
		if (map->ent[i].pid == -1)
			star = &map->ent[i];
	}
	return star;
}

/* ------------------------------------------------------------ blkparse */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "8,16" */
static bool is_devno(const char *s)
{
	const char *c = strchr(s, ',');
	char maj[16];

	if (!c || (size_t)(c - s) >= sizeof(maj) || c == s)
		return false;
	memcpy(maj, s, (size_t)(c - s));
	maj[c - s] = 0;
	return all_digits(maj) && all_digits(c + 1);
}

/* "12.000001337" (seconds, nanoseconds) -> ns; false if not a time */
static bool parse_bp_time(const char *s, u64 *ns)
{
	const char *dot = strchr(s, '.');
	u64 sec = 0, frac = 0;
	int digits = 0;
	const char *p;

	if (!dot || dot == s)
		return false;
	for (p = s; p < dot; p++) {
		if (!isdigit((unsigned char)*p) || sec > 100000000)
			return false;
		sec = sec * 10 + (u64)(*p - '0');
	}
	for (p = dot + 1; *p; p++) {
		if (!isdigit((unsigned char)*p) || ++digits > 9)
			return false;
		frac = frac * 10 + (u64)(*p - '0');
	}
	if (!digits)
		return false;
	for (; digits < 9; digits++)
		frac *= 10;
	*ns = sec * SIM_NS_PER_S + frac;
	return true;
}

int sim_blkparse_parse(FILE *f, const char *fname, const struct sim_pidmap *map,
		       const char *dev, struct sim_trace_rec **recs, size_t *n,
		       struct sim_blkparse_stats *st, struct sim_err *e)
{
	struct sim_trace_rec *r = NULL, *rec;
	const struct sim_pidmap_ent *me;
	size_t nr = 0, cap = 0, lcap = 0, i;
	char *line = NULL, *tok[12], *s, chosen[32] = "";
	int lineno = 0, nt, ret = 0, chosen_line = 0;
	u64 t, sectors, t0 = UINT64_MAX;
	struct sim_err sub;
	enum sim_op op;
	ssize_t len;
	u64 pid;

	memset(st, 0, sizeof(*st));
	if (dev) {
		if (!is_devno(dev) || strlen(dev) >= sizeof(chosen))
			return sim_fail(e, "dev=%s: not a device number MAJ,MIN (as blkparse prints it, e.g. 8,16)",
					dev);
		strcpy(chosen, dev);
	}
	while ((len = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		if (memchr(line, 0, (size_t)len)) {
			ret = sim_fail_at(e, fname, lineno, "a NUL byte (is this blkparse's text output?)");
			goto out;
		}
		for (nt = 0, s = strtok(line, " \t\r\n"); s && nt < 12; s = strtok(NULL, " \t\r\n"))
			tok[nt++] = s;
		/* event lines: DEV CPU SEQ TIME PID ACTION ...; the rest is summary */
		if (nt < 6 || !is_devno(tok[0]) || !all_digits(tok[1]) || !all_digits(tok[2]) ||
		    !parse_bp_time(tok[3], &t) || !all_digits(tok[4]))
			continue;
		st->events++;
		if (strcmp(tok[5], "Q"))
			continue;
		if (!chosen[0]) {
			if (strlen(tok[0]) >= sizeof(chosen)) {
				ret = sim_fail_at(e, fname, lineno, "device number %s is too long", tok[0]);
				goto out;
			}
			strcpy(chosen, tok[0]);
			chosen_line = lineno;
		}
		if (strcmp(tok[0], chosen)) {
			if (dev) {
				st->other_dev++;
				continue;
			}
			ret = sim_fail_at(e, fname, lineno,
					  "Q events of two devices (%s at line %d, %s here): choose one with dev=MAJ,MIN",
					  chosen, chosen_line, tok[0]);
			goto out;
		}
		if (nt < 7) {
			ret = sim_fail_at(e, fname, lineno, "Q event without RWBS field");
			goto out;
		}
		/* no data (flush, "N"), or a command the model has no time for */
		if (nt < 8 || tok[7][0] == '[' || strpbrk(tok[6], "DEN")) {
			st->skipped++;
			continue;
		}
		if (nt < 10 || strcmp(tok[8], "+") || !all_digits(tok[7])) {
			ret = sim_fail_at(e, fname, lineno, "Q event: expected 'SECTOR + SECTORS' after %s",
					  tok[6]);
			goto out;
		}
		if (sim_parse_u64(tok[9], 0, SIM_MAX_BYTES / SIM_SECTOR_SIZE, &sectors, &sub)) {
			ret = sim_fail_at(e, fname, lineno, "Q event: sector count %s", sub.msg);
			goto out;
		}
		if (!sectors) {
			st->skipped++;
			continue;
		}
		if (strchr(tok[6], 'W')) {
			op = strpbrk(tok[6], "SF") ? SIM_OP_SYNCWRITE : SIM_OP_WRITE;
		} else if (strchr(tok[6], 'R')) {
			op = SIM_OP_READ;
		} else {
			st->skipped++;
			continue;
		}
		if (sim_parse_u64(tok[4], 0, 4194304, &pid, &sub)) {
			ret = sim_fail_at(e, fname, lineno, "pid %s", sub.msg);
			goto out;
		}
		me = pidmap_find(map, (long)pid);
		if (!me) {
			ret = sim_fail_at(e, fname, lineno,
					  "pid %llu is not in %s (add a line 'PID CGROUP', or '* CGROUP' for all others)",
					  (unsigned long long)pid, map->fname);
			goto out;
		}
		sim_grow(&r, &cap, nr + 1, sizeof(*r));
		rec = &r[nr++];
		memset(rec, 0, sizeof(*rec));
		rec->t_ns = t;
		rec->entity = sim_xasprintf("%s:%llu", me->path, (unsigned long long)pid);
		rec->weight = me->weight;
		rec->bytes = (u32)(sectors * SIM_SECTOR_SIZE);
		rec->op = op;
		rec->line = lineno;
		if (t < t0)
			t0 = t;
		st->queued++;
	}
	if (ferror(f)) {
		ret = sim_fail_at(e, fname, 0, "read error");
	} else if (!nr) {
		if (!st->events)
			ret = sim_fail_at(e, fname, 0, "no blkparse event lines (expected blkparse's default output: 'MAJ,MIN CPU SEQ TIME PID ACTION RWBS ...')");
		else
			ret = sim_fail_at(e, fname, 0, "no Q event with data%s%s",
					  dev ? " on device " : "", dev ? dev : "");
	}
out:
	free(line);
	if (ret) {
		sim_trace_free(r, nr);
		return ret;
	}
	for (i = 0; i < nr; i++)
		r[i].t_ns -= t0;
	*recs = r;
	*n = nr;
	return 0;
}

int sim_trace_load_blkparse(struct sim_model *m, const char *path, const char *mapfile,
			    const char *dev, struct sim_err *e)
{
	struct sim_blkparse_stats st;
	struct sim_trace_rec *recs;
	struct sim_pidmap map;
	FILE *f;
	size_t n;
	int ret;

	if (sim_pidmap_load(&map, mapfile, e))
		return -1;
	f = open_input(path, e);
	if (!f) {
		sim_pidmap_free(&map);
		return -1;
	}
	ret = sim_blkparse_parse(f, path, &map, dev, &recs, &n, &st, e);
	fclose(f);
	sim_pidmap_free(&map);
	if (ret)
		return ret;
	ret = sim_trace_add(m, path, recs, n, e);
	sim_trace_free(recs, n);
	return ret;
}
