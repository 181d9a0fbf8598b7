// SPDX-License-Identifier: GPL-2.0
/*
 * fairness-report: shares, errors and ratios of the host-lab benchmarks.
 *
 * Reads a line-oriented text input (the host-lab scenarios write it; '#'
 * starts a comment line), computes for every run the hierarchical target
 * share of each entity (its weight over its siblings', times its parent's
 * target), the achieved share (its IOPS, or the sum of its leaves', over the
 * run's total), the largest error at every level of the tree, Jain's index
 * of achieved/target over the leaves, and the total IOPS relative to the
 * run with config "none" on the same scenario and device. Overhead samples
 * get their median per scheduler, ratios to mq-deadline and none, and the
 * paired ratio to mq-deadline: the median, over the rounds, of each round's
 * sample over mq-deadline's sample of the same round (round=K, else the
 * sample's position), in which the host's slow drift cancels.
 * Prints tables and writes one JSON document (../shared/RESULTS.md).
 *
 * Records (fields separated by blanks; KEY=VALUE extras are copied into the
 * JSON object, as numbers when they are JSON numbers):
 *   meta KEY [TEXT...]           top-level string field (benchmark, commit, ...)
 *   param KEY VALUE              "parameters" object (number or string)
 *   device NAME TEXT...          "devices" object: how the device model is built
 *   run SCEN DEV CONFIG SCHED [K=V...]          a measured run; CONFIG
 *                                "NAME#K" is run K of a configuration run
 *                                several times: the report adds the mean
 *                                and the spread over its runs
 *   entity SCEN DEV CONFIG NAME PARENT WEIGHT IOPS [K=V...]
 *                                a cgroup of that run; PARENT "-" for the top
 *                                level; IOPS "-" for an inner node (the sum of
 *                                its children)
 *   scenario SCEN [K=V...]       attributes of an overhead scenario
 *   sample SCEN SCHED IOPS [K=V...]             one overhead measurement
 *
 * Usage: fairness-report [--json FILE] [--svg FILE] [--share-from KEY] [--show KEY,...]
 *                        [--quiet] [INPUT...]
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/stats.h"
#include "../common/json.h"

#define FR_MAX_DEPTH	16
#define FR_MAX_FIELDS	64

struct fr_kv {
	char *key;
	char *val;
};

struct fr_kvlist {
	struct fr_kv *v;
	size_t n, cap;
};

struct fr_entity {
	char *name;
	char *parent;		/* NULL: top level */
	double weight;
	double iops;		/* own IOPS (leaves) */
	int derived;		/* inner node: IOPS is the sum of its children */
	struct fr_kvlist extra;
	/* computed */
	int parent_idx;		/* -1: top level */
	int depth;		/* 1: top level */
	int nchildren;
	double sub_iops;
	double target, achieved, local_target, local_achieved;
	double alt, alt_share;	/* --share-from KEY: its count and share */
};

struct fr_run {
	char *scenario, *device, *config, *scheduler;
	struct fr_kvlist attrs;
	struct fr_entity *ent;
	size_t nent, cap;
	int line;
	/* computed */
	double total_iops;
	double max_err;			/* percentage points */
	double level_err[FR_MAX_DEPTH + 1];
	int max_depth;
	double jain;
	double ratio_none;
	int has_ratio;
	int has_alt;			/* every leaf has the --share-from KEY */
	double alt_max_err;
};

struct fr_sample {
	char *scenario, *scheduler;
	double iops;
	struct fr_kvlist extra;
};

struct fr_ovh_sched {		/* computed from the samples */
	const char *scheduler;
	double median, min, max;
	double *vals;
	long *rounds;		/* each sample's round=K, else its position */
	size_t n;
	double ratio_mqdl, ratio_none;
	int has_mqdl, has_none;
	/*
	 * Median over the rounds of this scheduler's sample over mq-deadline's
	 * sample of the same round: the host's slow drift cancels in each pair
	 */
	double paired_mqdl;
	size_t npaired;
};

struct fr_ovh {
	const char *scenario;
	struct fr_kvlist *attrs;	/* from a "scenario" record, or NULL */
	struct fr_ovh_sched *s;
	size_t ns;
};

struct fr_report {
	struct fr_kvlist meta, params, devices;
	struct fr_run *runs;
	size_t nruns, runs_cap;
	struct fr_sample *samples;
	size_t nsamples, samples_cap;
	struct {
		char *name;
		struct fr_kvlist attrs;
	} *scen;
	size_t nscen, scen_cap;
	struct fr_ovh *ovh;
	size_t novh;
	const char *alt_key;		/* --share-from KEY, or NULL */
};

/* ------------------------------------------------------------ utilities */

static void *fr_xrealloc(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > ((size_t)-1) / size) {
		fprintf(stderr, "fairness-report: out of memory\n");
		exit(1);
	}
	q = realloc(p, n * size > 0 ? n * size : 1);
	if (!q) {
		fprintf(stderr, "fairness-report: out of memory\n");
		exit(1);
	}
	return q;
}

static char *fr_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = fr_xrealloc(NULL, n, 1);

	memcpy(d, s, n);
	return d;
}

/* grow an array of @size-byte elements so that one more fits */
static void *fr_grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 8;
	return fr_xrealloc(p, *cap, size);
}

static void fr_kv_add(struct fr_kvlist *l, const char *key, const char *val)
{
	l->v = fr_grow(l->v, l->n, &l->cap, sizeof(*l->v));
	l->v[l->n].key = fr_strdup(key);
	l->v[l->n].val = fr_strdup(val);
	l->n++;
}

static const char *fr_kv_get(const struct fr_kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, key))
			return l->v[i].val;
	return NULL;
}

static void fr_kv_free(struct fr_kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Is @s a number in JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int fr_is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* A finite number, non-negative; 0 on success */
static int fr_parse_num(const char *s, double *out)
{
	char *end;
	double v;

	if (!fr_is_json_number(s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int fr_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of @n values (sorted in place); 0 for none. */
static double fr_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), fr_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------ errors */

struct fr_err {
	char msg[512];
};

static int fr_fail(struct fr_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fr_fail(struct fr_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------ parsing */

static struct fr_run *fr_find_run(struct fr_report *r, const char *scen,
				  const char *dev, const char *config)
{
	size_t i;

	for (i = 0; i < r->nruns; i++)
		if (!strcmp(r->runs[i].scenario, scen) && !strcmp(r->runs[i].device, dev) &&
		    !strcmp(r->runs[i].config, config))
			return &r->runs[i];
	return NULL;
}

/* KEY=VALUE extras from field @from on */
static int fr_parse_extras(struct fr_kvlist *l, char **f, int nf, int from,
			   struct fr_err *e, const char *where)
{
	int i;

	for (i = from; i < nf; i++) {
		char *eq = strchr(f[i], '=');

		if (!eq || eq == f[i])
			return fr_fail(e, "%s: '%s' is not KEY=VALUE", where, f[i]);
		*eq = '\0';
		fr_kv_add(l, f[i], eq + 1);
		*eq = '=';
	}
	return 0;
}

/* the rest of @line after @nskip blank-separated words, trimmed */
static const char *fr_rest(const char *line, int nskip)
{
	const char *p = line;
	int i;

	for (i = 0; i < nskip; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int fr_parse_line(struct fr_report *r, char *line, const char *where,
			 int lineno, struct fr_err *e)
{
	char *f[FR_MAX_FIELDS], *copy, *tok, *save = NULL;
	int nf = 0, ret = 0;
	size_t len = strlen(line);

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
		       line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';
	copy = fr_strdup(line);
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nf == FR_MAX_FIELDS) {
			free(copy);
			return fr_fail(e, "%s: more than %d fields", where, FR_MAX_FIELDS);
		}
		f[nf++] = tok;
	}
	if (!nf || f[0][0] == '#')
		goto out;

	if (!strcmp(f[0], "meta") || !strcmp(f[0], "device")) {
		const char *rest = fr_rest(line, 2);

		if (nf < 2) {
			ret = fr_fail(e, "%s: '%s' needs a name", where, f[0]);
			goto out;
		}
		fr_kv_add(!strcmp(f[0], "meta") ? &r->meta : &r->devices, f[1], rest);
	} else if (!strcmp(f[0], "param")) {
		if (nf != 3) {
			ret = fr_fail(e, "%s: 'param' wants KEY VALUE (one word)", where);
			goto out;
		}
		fr_kv_add(&r->params, f[1], f[2]);
	} else if (!strcmp(f[0], "run")) {
		struct fr_run *run;

		if (nf < 5) {
			ret = fr_fail(e, "%s: 'run' wants SCENARIO DEVICE CONFIG SCHEDULER [KEY=VALUE...]", where);
			goto out;
		}
		if (fr_find_run(r, f[1], f[2], f[3])) {
			ret = fr_fail(e, "%s: run %s %s %s appears twice", where, f[1], f[2], f[3]);
			goto out;
		}
		r->runs = fr_grow(r->runs, r->nruns, &r->runs_cap, sizeof(*r->runs));
		run = &r->runs[r->nruns];
		memset(run, 0, sizeof(*run));
		run->scenario = fr_strdup(f[1]);
		run->device = fr_strdup(f[2]);
		run->config = fr_strdup(f[3]);
		run->scheduler = fr_strdup(f[4]);
		run->line = lineno;
		r->nruns++;
		ret = fr_parse_extras(&run->attrs, f, nf, 5, e, where);
	} else if (!strcmp(f[0], "entity")) {
		struct fr_run *run;
		struct fr_entity *en;
		size_t i;

		if (nf < 8) {
			ret = fr_fail(e, "%s: 'entity' wants SCENARIO DEVICE CONFIG NAME PARENT WEIGHT IOPS [KEY=VALUE...]", where);
			goto out;
		}
		run = fr_find_run(r, f[1], f[2], f[3]);
		if (!run) {
			ret = fr_fail(e, "%s: entity of run %s %s %s, which has no 'run' record before it",
				      where, f[1], f[2], f[3]);
			goto out;
		}
		for (i = 0; i < run->nent; i++)
			if (!strcmp(run->ent[i].name, f[4])) {
				ret = fr_fail(e, "%s: entity '%s' appears twice in run %s %s %s",
					      where, f[4], f[1], f[2], f[3]);
				goto out;
			}
		run->ent = fr_grow(run->ent, run->nent, &run->cap, sizeof(*run->ent));
		en = &run->ent[run->nent];
		memset(en, 0, sizeof(*en));
		en->name = fr_strdup(f[4]);
		en->parent = strcmp(f[5], "-") ? fr_strdup(f[5]) : NULL;
		run->nent++;
		if (fr_parse_num(f[6], &en->weight) || en->weight <= 0 || en->weight > 1e9) {
			ret = fr_fail(e, "%s: weight '%s' of '%s' is not a number in (0, 1e9]", where, f[6], f[4]);
			goto out;
		}
		if (!strcmp(f[7], "-")) {
			en->derived = 1;
		} else if (fr_parse_num(f[7], &en->iops) || en->iops > 1e12) {
			ret = fr_fail(e, "%s: IOPS '%s' of '%s' is not a non-negative number (or '-' for an inner node)",
				      where, f[7], f[4]);
			goto out;
		}
		ret = fr_parse_extras(&en->extra, f, nf, 8, e, where);
	} else if (!strcmp(f[0], "scenario")) {
		size_t i;

		if (nf < 2) {
			ret = fr_fail(e, "%s: 'scenario' wants a name", where);
			goto out;
		}
		for (i = 0; i < r->nscen; i++)
			if (!strcmp(r->scen[i].name, f[1]))
				break;
		if (i == r->nscen) {
			r->scen = fr_grow(r->scen, r->nscen, &r->scen_cap, sizeof(*r->scen));
			r->scen[i].name = fr_strdup(f[1]);
			memset(&r->scen[i].attrs, 0, sizeof(r->scen[i].attrs));
			r->nscen++;
		}
		ret = fr_parse_extras(&r->scen[i].attrs, f, nf, 2, e, where);
	} else if (!strcmp(f[0], "sample")) {
		struct fr_sample *s;
		double v;

		if (nf < 4) {
			ret = fr_fail(e, "%s: 'sample' wants SCENARIO SCHEDULER IOPS [KEY=VALUE...]", where);
			goto out;
		}
		if (fr_parse_num(f[3], &v) || v > 1e12) {
			ret = fr_fail(e, "%s: IOPS '%s' is not a non-negative number", where, f[3]);
			goto out;
		}
		r->samples = fr_grow(r->samples, r->nsamples, &r->samples_cap, sizeof(*r->samples));
		s = &r->samples[r->nsamples];
		memset(s, 0, sizeof(*s));
		s->scenario = fr_strdup(f[1]);
		s->scheduler = fr_strdup(f[2]);
		s->iops = v;
		r->nsamples++;
		ret = fr_parse_extras(&s->extra, f, nf, 4, e, where);
	} else {
		ret = fr_fail(e, "%s: unknown record '%s' (meta, param, device, run, entity, scenario, sample)",
			      where, f[0]);
	}
out:
	free(copy);
	return ret;
}

/* Parse every line of @in; @name names it in messages. */
static int fr_parse(struct fr_report *r, FILE *in, const char *name, struct fr_err *e)
{
	char *line = NULL, where[256];
	size_t cap = 0;
	int lineno = 0, ret = 0;

	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%d", name, lineno);
		if (strlen(line) > 4096) {
			ret = fr_fail(e, "%s: line longer than 4096 characters", where);
			break;
		}
		ret = fr_parse_line(r, line, where, lineno, e);
		if (ret)
			break;
	}
	free(line);
	if (!ret && ferror(in))
		ret = fr_fail(e, "%s: read error", name);
	return ret;
}

/* ------------------------------------------------------------ computing */

static int fr_compute_run(struct fr_run *run, const char *alt_key, struct fr_err *e)
{
	size_t i, j, nleaves = 0;
	double *x;

	if (!run->nent)
		return fr_fail(e, "run %s %s %s (line %d) has no entities",
			       run->scenario, run->device, run->config, run->line);
	/* parents, depths, children */
	for (i = 0; i < run->nent; i++) {
		struct fr_entity *en = &run->ent[i];

		en->parent_idx = -1;
		if (!en->parent)
			continue;
		for (j = 0; j < run->nent; j++)
			if (!strcmp(run->ent[j].name, en->parent))
				en->parent_idx = (int)j;
		if (en->parent_idx < 0)
			return fr_fail(e, "run %s %s %s: parent '%s' of '%s' is not an entity of the run",
				       run->scenario, run->device, run->config, en->parent, en->name);
		run->ent[en->parent_idx].nchildren++;
	}
	for (i = 0; i < run->nent; i++) {
		struct fr_entity *en = &run->ent[i];
		int d = 1, p = en->parent_idx;

		while (p >= 0) {
			if (++d > FR_MAX_DEPTH)
				return fr_fail(e, "run %s %s %s: '%s' is more than %d levels deep (a parent cycle?)",
					       run->scenario, run->device, run->config, en->name, FR_MAX_DEPTH);
			p = run->ent[p].parent_idx;
		}
		en->depth = d;
		if (d > run->max_depth)
			run->max_depth = d;
		if (en->nchildren && !en->derived)
			return fr_fail(e, "run %s %s %s: '%s' has children, so its IOPS must be '-' (their sum)",
				       run->scenario, run->device, run->config, en->name);
		if (!en->nchildren && en->derived)
			return fr_fail(e, "run %s %s %s: '%s' has no children, so it needs its own IOPS",
				       run->scenario, run->device, run->config, en->name);
	}
	/* IOPS of every subtree: each leaf adds itself to all its ancestors */
	run->total_iops = 0;
	for (i = 0; i < run->nent; i++) {
		struct fr_entity *en = &run->ent[i];
		int p;

		if (en->nchildren)
			continue;
		nleaves++;
		en->sub_iops += en->iops;
		run->total_iops += en->iops;
		for (p = en->parent_idx; p >= 0; p = run->ent[p].parent_idx)
			run->ent[p].sub_iops += en->iops;
	}
	/* shares: local ones among siblings, global ones as products down the path */
	for (i = 0; i < run->nent; i++) {
		struct fr_entity *en = &run->ent[i];
		double wsum = 0, parent_iops;

		for (j = 0; j < run->nent; j++)
			if (run->ent[j].parent_idx == en->parent_idx)
				wsum += run->ent[j].weight;
		en->local_target = en->weight / wsum;
		parent_iops = en->parent_idx < 0 ? run->total_iops : run->ent[en->parent_idx].sub_iops;
		en->local_achieved = parent_iops > 0 ? en->sub_iops / parent_iops : 0;
		en->achieved = run->total_iops > 0 ? en->sub_iops / run->total_iops : 0;
	}
	for (i = 0; i < run->nent; i++) {
		struct fr_entity *en = &run->ent[i];
		int p;

		en->target = en->local_target;
		for (p = en->parent_idx; p >= 0; p = run->ent[p].parent_idx)
			en->target *= run->ent[p].local_target;
	}
	/* errors, in percentage points of the whole device, at every level */
	run->max_err = 0;
	for (i = 0; i <= FR_MAX_DEPTH; i++)
		run->level_err[i] = 0;
	for (i = 0; i < run->nent; i++) {
		struct fr_entity *en = &run->ent[i];
		double err = fabs(en->achieved - en->target) * 100;

		if (err > run->level_err[en->depth])
			run->level_err[en->depth] = err;
		if (err > run->max_err)
			run->max_err = err;
	}
	/* the same shares counted another way (e.g. xot_rqs from io.xot.stat) */
	run->has_alt = 0;
	if (alt_key) {
		double alt_total = 0;
		int ok = 1;

		for (i = 0; i < run->nent; i++) {
			struct fr_entity *en = &run->ent[i];
			const char *v;

			if (en->nchildren)
				continue;
			v = fr_kv_get(&en->extra, alt_key);
			if (!v || fr_parse_num(v, &en->alt)) {
				ok = 0;
				break;
			}
			alt_total += en->alt;
		}
		if (ok && alt_total > 0) {
			for (i = 0; i < run->nent; i++)
				if (run->ent[i].nchildren)
					run->ent[i].alt = 0;
			for (i = 0; i < run->nent; i++) {
				int p;

				if (run->ent[i].nchildren)
					continue;
				for (p = run->ent[i].parent_idx; p >= 0; p = run->ent[p].parent_idx)
					run->ent[p].alt += run->ent[i].alt;
			}
			run->has_alt = 1;
			run->alt_max_err = 0;
			for (i = 0; i < run->nent; i++) {
				struct fr_entity *en = &run->ent[i];
				double err;

				en->alt_share = en->alt / alt_total;
				err = fabs(en->alt_share - en->target) * 100;
				if (err > run->alt_max_err)
					run->alt_max_err = err;
			}
		}
	}
	/* Jain's index of achieved/target over the leaves */
	x = fr_xrealloc(NULL, nleaves, sizeof(*x));
	for (i = 0, j = 0; i < run->nent; i++)
		if (!run->ent[i].nchildren)
			x[j++] = run->ent[i].achieved / run->ent[i].target;
	run->jain = xot_jain(x, nleaves);
	free(x);
	return 0;
}

/* A sample's round: its round=K attribute, else @pos (1-based, per scheduler). */
static long fr_sample_round(const struct fr_sample *s, size_t pos)
{
	const char *v = fr_kv_get(&s->extra, "round");
	double k;

	return v && !fr_parse_num(v, &k) ? (long)k : (long)pos;
}

/* @os's samples paired by round with @base's: the median of the ratios. */
static void fr_pair(struct fr_ovh_sched *os, const struct fr_ovh_sched *base)
{
	double *ratio = fr_xrealloc(NULL, os->n ? os->n : 1, sizeof(*ratio));
	size_t a, b, n = 0;

	for (a = 0; a < os->n; a++)
		for (b = 0; b < base->n; b++)
			if (base->rounds[b] == os->rounds[a] && base->vals[b] > 0) {
				ratio[n++] = os->vals[a] / base->vals[b];
				break;
			}
	os->npaired = n;
	if (n)
		os->paired_mqdl = fr_median(ratio, n);
	free(ratio);
}

static int fr_compute_overhead(struct fr_report *r)
{
	size_t i, j, k;

	for (i = 0; i < r->nsamples; i++) {
		struct fr_sample *s = &r->samples[i];
		struct fr_ovh *o = NULL;
		struct fr_ovh_sched *os = NULL;

		for (j = 0; j < r->novh; j++)
			if (!strcmp(r->ovh[j].scenario, s->scenario))
				o = &r->ovh[j];
		if (!o) {
			r->ovh = fr_xrealloc(r->ovh, r->novh + 1, sizeof(*r->ovh));
			o = &r->ovh[r->novh++];
			memset(o, 0, sizeof(*o));
			o->scenario = s->scenario;
			for (k = 0; k < r->nscen; k++)
				if (!strcmp(r->scen[k].name, s->scenario))
					o->attrs = &r->scen[k].attrs;
		}
		for (j = 0; j < o->ns; j++)
			if (!strcmp(o->s[j].scheduler, s->scheduler))
				os = &o->s[j];
		if (!os) {
			o->s = fr_xrealloc(o->s, o->ns + 1, sizeof(*o->s));
			os = &o->s[o->ns++];
			memset(os, 0, sizeof(*os));
			os->scheduler = s->scheduler;
		}
		os->vals = fr_xrealloc(os->vals, os->n + 1, sizeof(*os->vals));
		os->rounds = fr_xrealloc(os->rounds, os->n + 1, sizeof(*os->rounds));
		os->rounds[os->n] = fr_sample_round(s, os->n + 1);
		os->vals[os->n++] = s->iops;
	}
	for (i = 0; i < r->novh; i++) {
		struct fr_ovh *o = &r->ovh[i];
		const struct fr_ovh_sched *mqdl = NULL;
		double none = -1;

		for (j = 0; j < o->ns; j++) {
			struct fr_ovh_sched *os = &o->s[j];
			double *sorted = fr_xrealloc(NULL, os->n, sizeof(*sorted));

			memcpy(sorted, os->vals, os->n * sizeof(*sorted));
			os->median = fr_median(sorted, os->n);
			os->min = sorted[0];
			os->max = sorted[os->n - 1];
			free(sorted);
			if (!strcmp(os->scheduler, "mq-deadline"))
				mqdl = os;
			if (!strcmp(os->scheduler, "none"))
				none = os->median;
		}
		for (j = 0; j < o->ns; j++) {
			struct fr_ovh_sched *os = &o->s[j];

			if (mqdl && mqdl->median > 0) {
				os->ratio_mqdl = os->median / mqdl->median;
				os->has_mqdl = 1;
			}
			if (mqdl)
				fr_pair(os, mqdl);
			if (none > 0) {
				os->ratio_none = os->median / none;
				os->has_none = 1;
			}
		}
	}
	return 0;
}

static size_t fr_config_base(const char *config);

static int fr_compute(struct fr_report *r, struct fr_err *e)
{
	size_t i;

	for (i = 0; i < r->nruns; i++)
		if (fr_compute_run(&r->runs[i], r->alt_key, e))
			return -1;
	for (i = 0; i < r->nruns; i++) {
		struct fr_run *run = &r->runs[i];
		const char *rep = strrchr(run->config, '#');
		char none_cfg[64];
		const struct fr_run *none;

		/* a repeated run is compared with the same repeat of none */
		snprintf(none_cfg, sizeof(none_cfg), "none%s",
			 rep && fr_config_base(run->config) < strlen(run->config) ? rep : "");
		none = fr_find_run(r, run->scenario, run->device, none_cfg);

		if (run->total_iops <= 0)
			return fr_fail(e, "run %s %s %s (line %d): no I/O (total IOPS 0)",
				       run->scenario, run->device, run->config, run->line);
		if (none && none->total_iops > 0) {
			run->ratio_none = run->total_iops / none->total_iops;
			run->has_ratio = 1;
		}
	}
	return fr_compute_overhead(r);
}

/* ------------------------------------------------------------ output: table */

static int fr_show_key(const char *show, const char *key)
{
	size_t n = strlen(key);
	const char *p = show;

	while (p && *p) {
		if (!strncmp(p, key, n) && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/* ------------------------------------------------------------ repeated runs */

/* Length of @config's name without its "#K" repeat suffix. */
static size_t fr_config_base(const char *config)
{
	const char *h = strrchr(config, '#');

	return h && h > config && h[1] ? (size_t)(h - config) : strlen(config);
}

/* @a and @b are repeats of one configuration of one scenario and device. */
static int fr_same_config(const struct fr_run *a, const struct fr_run *b)
{
	size_t n = fr_config_base(a->config);

	return n < strlen(a->config) && n == fr_config_base(b->config) &&
	       n < strlen(b->config) && !strncmp(a->config, b->config, n) &&
	       !strcmp(a->scenario, b->scenario) && !strcmp(a->device, b->device);
}

/* The first run of @run's repeated configuration, or -1 if not repeated. */
static long fr_first_repeat(const struct fr_report *r, size_t run)
{
	size_t i;

	for (i = 0; i <= run; i++)
		if (fr_same_config(&r->runs[i], &r->runs[run]))
			return (long)i;
	return -1;
}

/*
 * Mean, minimum and maximum over the repeats of the configuration whose
 * first run is @first, of field @what of entity @k (its achieved share)
 * or, with @k < 0, of the run's largest error at level @level (0: any).
 * The runs must have the same entities in the same order; returns the
 * number of runs, 0 if they differ.
 */
static size_t fr_over_repeats(const struct fr_report *r, size_t first, long k,
			      int level, double *mean, double *min, double *max)
{
	const struct fr_run *f = &r->runs[first];
	size_t i, n = 0;
	double sum = 0;

	for (i = first; i < r->nruns; i++) {
		const struct fr_run *run = &r->runs[i];
		double v;

		if (!fr_same_config(f, run))
			continue;
		if (run->nent != f->nent)
			return 0;
		if (k >= 0) {
			if (strcmp(run->ent[k].name, f->ent[k].name))
				return 0;
			v = run->ent[k].achieved;
		} else {
			v = level ? run->level_err[level] : run->max_err;
		}
		if (!n || v < *min)
			*min = v;
		if (!n || v > *max)
			*max = v;
		sum += v;
		n++;
	}
	*mean = n ? sum / n : 0;
	return n;
}

/* One line per repeated configuration: mean [min-max] of every share. */
static void fr_print_repeats(const struct fr_report *r, FILE *out)
{
	double mean, min, max;
	size_t i, k, n;
	int header = 0;
	int lv;

	for (i = 0; i < r->nruns; i++) {
		const struct fr_run *run = &r->runs[i];

		if (fr_first_repeat(r, i) != (long)i)
			continue;
		n = fr_over_repeats(r, i, -1, 0, &mean, &min, &max);
		if (!n) {
			fprintf(out, "\n%s on %s, %.*s: the repeats differ in their entities\n",
				run->scenario, run->device, (int)fr_config_base(run->config), run->config);
			continue;
		}
		if (!header)
			fprintf(out, "\nmean [min-max] over repeated runs (CONFIG#K):\n");
		header = 1;
		fprintf(out, "  %s on %s, %.*s, %zu runs: largest error %.2fpp [%.2f-%.2f]",
			run->scenario, run->device, (int)fr_config_base(run->config), run->config,
			n, mean, min, max);
		for (lv = 1; lv <= run->max_depth && run->max_depth > 1; lv++) {
			fr_over_repeats(r, i, -1, lv, &mean, &min, &max);
			fprintf(out, " L%d %.2fpp [%.2f-%.2f]", lv, mean, min, max);
		}
		fputc('\n', out);
		for (k = 0; k < run->nent; k++) {
			fr_over_repeats(r, i, (long)k, 0, &mean, &min, &max);
			fprintf(out, "    %-24s target %5.1f%%  achieved %5.1f%% [%.1f-%.1f]\n",
				run->ent[k].name, run->ent[k].target * 100, mean * 100,
				min * 100, max * 100);
		}
	}
}

static void fr_print_table(const struct fr_report *r, FILE *out, const char *show)
{
	size_t i, j, k;

	for (i = 0; i < r->nruns; i++) {
		const struct fr_run *run = &r->runs[i];
		int first = 1;

		/* a header before the first run of each scenario/device */
		for (j = 0; j < i; j++)
			if (!strcmp(r->runs[j].scenario, run->scenario) &&
			    !strcmp(r->runs[j].device, run->device))
				first = 0;
		if (first) {
			fprintf(out, "\n%s on %s: target", run->scenario, run->device);
			for (k = 0; k < run->nent; k++)
				fprintf(out, " %s %.1f%%", run->ent[k].name, run->ent[k].target * 100);
			fprintf(out, "\n  %-14s %-12s", "config", "scheduler");
			for (k = 0; k < run->nent; k++)
				fprintf(out, " %7.7s", run->ent[k].name);
			fprintf(out, " %8s %6s %9s %6s\n", "max_err", "jain", "IOPS", "/none");
		}
		fprintf(out, "  %-14s %-12s", run->config, run->scheduler);
		for (k = 0; k < run->nent; k++)
			fprintf(out, " %6.1f%%", run->ent[k].achieved * 100);
		fprintf(out, " %6.2fpp %6.3f %9.1f", run->max_err, run->jain, run->total_iops);
		if (run->has_ratio)
			fprintf(out, " %6.3f", run->ratio_none);
		else
			fprintf(out, " %6s", "-");
		if (run->max_depth > 1) {
			fprintf(out, "  per level:");
			for (k = 1; k <= (size_t)run->max_depth; k++)
				fprintf(out, " L%zu %.2fpp", k, run->level_err[k]);
		}
		fputc('\n', out);
		if (run->has_alt) {
			fprintf(out, "  %-27s", r->alt_key);
			for (k = 0; k < run->nent; k++)
				fprintf(out, " %6.1f%%", run->ent[k].alt_share * 100);
			fprintf(out, " %6.2fpp\n", run->alt_max_err);
		}
		if (show) {
			for (k = 0; k < run->nent; k++) {
				const struct fr_kvlist *x = &run->ent[k].extra;
				size_t m;
				int any = 0;

				for (m = 0; m < x->n; m++) {
					if (!fr_show_key(show, x->v[m].key))
						continue;
					if (!any)
						fprintf(out, "  %-27s %s:", "", run->ent[k].name);
					fprintf(out, " %s=%s", x->v[m].key, x->v[m].val);
					any = 1;
				}
				if (any)
					fputc('\n', out);
			}
		}
	}
	fr_print_repeats(r, out);
	for (i = 0; i < r->novh; i++) {
		const struct fr_ovh *o = &r->ovh[i];

		fprintf(out, "\noverhead %s", o->scenario);
		if (o->attrs)
			for (j = 0; j < o->attrs->n; j++)
				fprintf(out, " %s=%s", o->attrs->v[j].key, o->attrs->v[j].val);
		fprintf(out, "\n  %-12s %10s %10s %10s %3s %13s %7s %8s\n", "scheduler", "IOPS(med)",
			"min", "max", "n", "/mq-deadline", "/none", "paired");
		for (j = 0; j < o->ns; j++) {
			const struct fr_ovh_sched *os = &o->s[j];

			fprintf(out, "  %-12s %10.1f %10.1f %10.1f %3zu", os->scheduler, os->median,
				os->min, os->max, os->n);
			if (os->has_mqdl)
				fprintf(out, " %13.3f", os->ratio_mqdl);
			else
				fprintf(out, " %13s", "-");
			if (os->has_none)
				fprintf(out, " %7.3f", os->ratio_none);
			else
				fprintf(out, " %7s", "-");
			if (os->npaired)
				fprintf(out, " %8.3f\n", os->paired_mqdl);
			else
				fprintf(out, " %8s\n", "-");
		}
	}
}

/* ------------------------------------------------------------ output: JSON */


/* the JSON string KEY + SUFFIX */
static void fr_json_key_suffix(FILE *out, const char *key, const char *suffix)
{
	size_t n = strlen(key) + strlen(suffix) + 1;
	char *k = fr_xrealloc(NULL, n, 1);

	snprintf(k, n, "%s%s", key, suffix);
	xot_json_str(out, k);
	free(k);
}

/* a number if it is one in JSON's grammar, else a string */
static void fr_json_val(FILE *out, const char *v)
{
	if (fr_is_json_number(v))
		fputs(v, out);
	else
		xot_json_str(out, v);
}

static void fr_json_kvs(FILE *out, const struct fr_kvlist *l, int as_strings)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		fputs(", ", out);
		xot_json_str(out, l->v[i].key);
		fputs(": ", out);
		if (as_strings)
			xot_json_str(out, l->v[i].val);
		else
			fr_json_val(out, l->v[i].val);
	}
}

static void fr_json_object(FILE *out, const char *name, const struct fr_kvlist *l,
			   int as_strings)
{
	size_t i;

	fprintf(out, ",\n  ");
	xot_json_str(out, name);
	fputs(": {", out);
	for (i = 0; i < l->n; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		xot_json_str(out, l->v[i].key);
		fputs(": ", out);
		if (as_strings)
			xot_json_str(out, l->v[i].val);
		else
			fr_json_val(out, l->v[i].val);
	}
	fputs(l->n ? "\n  }" : "}", out);
}

/* "repeated": per configuration run several times, mean, min and max */
static void fr_write_json_repeats(const struct fr_report *r, FILE *out)
{
	double mean, min, max;
	size_t i, k, n;
	int any = 0, lv;

	for (i = 0; i < r->nruns; i++) {
		const struct fr_run *run = &r->runs[i];

		if (fr_first_repeat(r, i) != (long)i)
			continue;
		n = fr_over_repeats(r, i, -1, 0, &mean, &min, &max);
		if (!n)
			continue;
		fputs(any ? ",\n    {" : ",\n  \"repeated\": [\n    {", out);
		any = 1;
		fputs("\"scenario\": ", out);
		xot_json_str(out, run->scenario);
		fputs(", \"device\": ", out);
		xot_json_str(out, run->device);
		fprintf(out, ", \"config\": \"%.*s\", \"runs\": %zu,\n",
			(int)fr_config_base(run->config), run->config, n);
		fprintf(out, "      \"max_abs_share_error\": {\"mean\": %.2f, \"min\": %.2f, \"max\": %.2f},\n",
			mean, min, max);
		fputs("      \"max_abs_share_error_per_level\": [", out);
		for (lv = 1; lv <= run->max_depth; lv++) {
			fr_over_repeats(r, i, -1, lv, &mean, &min, &max);
			fprintf(out, "%s{\"mean\": %.2f, \"min\": %.2f, \"max\": %.2f}",
				lv > 1 ? ", " : "", mean, min, max);
		}
		fputs("],\n      \"entities\": [", out);
		for (k = 0; k < run->nent; k++) {
			fr_over_repeats(r, i, (long)k, 0, &mean, &min, &max);
			fputs(k ? ",\n        {" : "\n        {", out);
			fputs("\"name\": ", out);
			xot_json_str(out, run->ent[k].name);
			fprintf(out, ", \"target_share\": %.4f, \"achieved_share_mean\": %.4f, \"achieved_share_min\": %.4f, \"achieved_share_max\": %.4f}",
				run->ent[k].target, mean, min, max);
		}
		fputs("\n      ]\n    }", out);
	}
	if (any)
		fputs("\n  ]", out);
}

static void fr_write_json(const struct fr_report *r, FILE *out)
{
	static const char *const first[] = { "benchmark", "commit", "command", "machine" };
	size_t i, j, k;
	int any = 0;

	fputs("{", out);
	/* the well-known fields first, then the rest in input order */
	for (k = 0; k < 4; k++) {
		const char *v = fr_kv_get(&r->meta, first[k]);

		if (!v)
			continue;
		fputs(any ? ",\n  " : "\n  ", out);
		xot_json_str(out, first[k]);
		fputs(": ", out);
		xot_json_str(out, v);
		any = 1;
	}
	for (i = 0; i < r->meta.n; i++) {
		int known = 0;

		for (k = 0; k < 4; k++)
			known |= !strcmp(r->meta.v[i].key, first[k]);
		if (known)
			continue;
		fputs(any ? ",\n  " : "\n  ", out);
		xot_json_str(out, r->meta.v[i].key);
		fputs(": ", out);
		xot_json_str(out, r->meta.v[i].val);
		any = 1;
	}
	if (!any)
		fputs("\n  \"benchmark\": \"unknown\"", out);
	fr_json_object(out, "parameters", &r->params, 0);
	fr_json_object(out, "devices", &r->devices, 1);

	fputs(",\n  \"scenarios\": [", out);
	for (i = 0; i < r->nruns; i++) {
		const struct fr_run *run = &r->runs[i];

		fputs(i ? ",\n    {" : "\n    {", out);
		fputs("\"scenario\": ", out);
		xot_json_str(out, run->scenario);
		fputs(", \"device\": ", out);
		xot_json_str(out, run->device);
		fputs(", \"scheduler\": ", out);
		xot_json_str(out, run->scheduler);
		fputs(", \"config\": ", out);
		xot_json_str(out, run->config);
		fr_json_kvs(out, &run->attrs, 0);
		fputs(",\n      \"entities\": [", out);
		for (j = 0; j < run->nent; j++) {
			const struct fr_entity *en = &run->ent[j];

			fputs(j ? ",\n        {" : "\n        {", out);
			fputs("\"name\": ", out);
			xot_json_str(out, en->name);
			fputs(", \"level\": \"cgroup\", \"depth\": ", out);
			fprintf(out, "%d, \"parent\": ", en->depth);
			if (en->parent)
				xot_json_str(out, en->parent);
			else
				fputs("null", out);
			fprintf(out, ", \"weight\": %.10g, \"target_share\": %.4f, \"achieved_share\": %.4f",
				en->weight, en->target, en->achieved);
			fprintf(out, ", \"local_target_share\": %.4f, \"local_achieved_share\": %.4f",
				en->local_target, en->local_achieved);
			fprintf(out, ", \"abs_share_error\": %.2f, \"iops\": %.1f",
				fabs(en->achieved - en->target) * 100, en->sub_iops);
			if (en->derived)
				fputs(", \"iops_is_sum_of_children\": true", out);
			if (run->has_alt) {
				fputs(", ", out);
				fr_json_key_suffix(out, r->alt_key, "_share");
				fprintf(out, ": %.4f", en->alt_share);
			}
			fr_json_kvs(out, &en->extra, 0);
			fputs("}", out);
		}
		fputs("\n      ],\n", out);
		fprintf(out, "      \"max_abs_share_error\": %.2f,\n", run->max_err);
		if (run->has_alt) {
			fputs("      ", out);
			fr_json_key_suffix(out, r->alt_key, "_max_abs_share_error");
			fprintf(out, ": %.2f,\n", run->alt_max_err);
		}
		fputs("      \"max_abs_share_error_per_level\": [", out);
		for (k = 1; k <= (size_t)run->max_depth; k++)
			fprintf(out, "%s%.2f", k > 1 ? ", " : "", run->level_err[k]);
		fprintf(out, "],\n      \"jain_index\": %.4f,\n", run->jain);
		fprintf(out, "      \"total_iops\": %.1f,\n", run->total_iops);
		fputs("      \"total_iops_ratio_to_none\": ", out);
		if (run->has_ratio)
			fprintf(out, "%.3f\n    }", run->ratio_none);
		else
			fputs("null\n    }", out);
	}
	fputs(r->nruns ? "\n  ]" : "]", out);
	fr_write_json_repeats(r, out);

	if (r->novh) {
		fputs(",\n  \"overhead\": [", out);
		for (i = 0; i < r->novh; i++) {
			const struct fr_ovh *o = &r->ovh[i];

			fputs(i ? ",\n    {" : "\n    {", out);
			fputs("\"scenario\": ", out);
			xot_json_str(out, o->scenario);
			if (o->attrs)
				fr_json_kvs(out, o->attrs, 0);
			fputs(",\n      \"schedulers\": [", out);
			for (j = 0; j < o->ns; j++) {
				const struct fr_ovh_sched *os = &o->s[j];

				fputs(j ? ",\n        {" : "\n        {", out);
				fputs("\"scheduler\": ", out);
				xot_json_str(out, os->scheduler);
				fprintf(out, ", \"iops\": %.1f, \"iops_min\": %.1f, \"iops_max\": %.1f, \"samples\": [",
					os->median, os->min, os->max);
				for (k = 0; k < os->n; k++)
					fprintf(out, "%s%.1f", k ? ", " : "", os->vals[k]);
				fputs("], \"ratio_to_mq_deadline\": ", out);
				if (os->has_mqdl)
					fprintf(out, "%.3f", os->ratio_mqdl);
				else
					fputs("null", out);
				fputs(", \"ratio_to_none\": ", out);
				if (os->has_none)
					fprintf(out, "%.3f", os->ratio_none);
				else
					fputs("null", out);
				fputs(", \"paired_ratio_to_mq_deadline\": ", out);
				if (os->npaired)
					fprintf(out, "%.3f, \"pairs\": %zu}", os->paired_mqdl, os->npaired);
				else
					fputs("null, \"pairs\": 0}", out);
			}
			fputs("\n      ]\n    }", out);
		}
		fputs("\n  ]", out);
	}
	fputs("\n}\n", out);
}

/* ------------------------------------------------------------ cleanup */

/* ------------------------------------------------------------- output: SVG */

static void fr_svg_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else
			fputc(*s, out);
	}
}

/*
 * A bar chart of the runs of the first scenario and device: one row per
 * entity (indented by level), one bar per configuration with the achieved
 * share of the device, the target as a black tick. Meant to be looked at:
 * where the bars miss the ticks is where a scheduler misses the weights.
 */
static void fr_write_svg(const struct fr_report *r, FILE *out)
{
	static const char *const colour[] = { "#1b9e77", "#d95f02", "#7570b3",
					       "#e7298a", "#66a61e", "#e6ab02" };
	const struct fr_run *first = NULL, *runs[6];
	size_t i, k, nr = 0, nent;
	const double left = 230, width = 520, bar = 11, gap = 10;
	double h, y, top;

	for (i = 0; i < r->nruns && nr < 6; i++) {
		const struct fr_run *run = &r->runs[i];

		if (!first)
			first = run;
		if (!strcmp(run->scenario, first->scenario) &&
		    !strcmp(run->device, first->device))
			runs[nr++] = run;
	}
	if (!first)
		return;
	nent = first->nent;
	top = 56 + nr * 16;
	h = top + nent * (nr * bar + gap) + 40;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n", left + width + 40, h);
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(out, "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Share of the device: ");
	fr_svg_text(out, first->scenario);
	fputs(" on ", out);
	fr_svg_text(out, first->device);
	fputs("</text>\n", out);
	fprintf(out, "<text x=\"10\" y=\"40\" fill=\"#555\">bars: achieved share per configuration; "
		"black tick: the target the weights give</text>\n");
	for (k = 0; k < nr; k++) {
		fprintf(out, "<rect x=\"10\" y=\"%zu\" width=\"12\" height=\"10\" fill=\"%s\"/>",
			48 + k * 16, colour[k]);
		fprintf(out, "<text x=\"28\" y=\"%zu\">", 57 + k * 16);
		fr_svg_text(out, runs[k]->config);
		fprintf(out, ": largest error %.1f points, Jain %.3f</text>\n",
			runs[k]->max_err, runs[k]->jain);
	}
	for (k = 0; k <= 4; k++)
		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%zu%%</text>\n",
			left + k * width / 4, left + k * width / 4, top - 4, h - 30,
			left + k * width / 4, h - 14, k * 25);
	y = top;
	for (i = 0; i < nent; i++) {
		const struct fr_entity *en = &first->ent[i];
		double rowh = nr * bar;

		fprintf(out, "<text x=\"%.0f\" y=\"%.1f\">", 10.0 + 14 * (en->depth - 1),
			y + rowh / 2 + 4);
		fr_svg_text(out, en->name);
		fprintf(out, " (w %.0f)</text>\n", en->weight);
		for (k = 0; k < nr; k++) {
			double a = 0;
			size_t j;

			/* the same entity in the other configuration, by name */
			for (j = 0; j < runs[k]->nent; j++)
				if (!strcmp(runs[k]->ent[j].name, en->name))
					a = runs[k]->ent[j].achieved;
			fprintf(out, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\">"
				"<title>%.1f%%</title></rect>\n", left, y + k * bar, a * width,
				bar - 2, colour[k], a * 100);
		}
		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\" "
			"stroke-width=\"2.5\"/>\n", left + en->target * width,
			left + en->target * width, y - 2, y + rowh);
		y += rowh + gap;
	}
	fputs("</svg>\n", out);
}

static void fr_free(struct fr_report *r)
{
	size_t i, j;

	fr_kv_free(&r->meta);
	fr_kv_free(&r->params);
	fr_kv_free(&r->devices);
	for (i = 0; i < r->nruns; i++) {
		struct fr_run *run = &r->runs[i];

		for (j = 0; j < run->nent; j++) {
			free(run->ent[j].name);
			free(run->ent[j].parent);
			fr_kv_free(&run->ent[j].extra);
		}
		free(run->ent);
		fr_kv_free(&run->attrs);
		free(run->scenario);
		free(run->device);
		free(run->config);
		free(run->scheduler);
	}
	free(r->runs);
	for (i = 0; i < r->nsamples; i++) {
		free(r->samples[i].scenario);
		free(r->samples[i].scheduler);
		fr_kv_free(&r->samples[i].extra);
	}
	free(r->samples);
	for (i = 0; i < r->nscen; i++) {
		free(r->scen[i].name);
		fr_kv_free(&r->scen[i].attrs);
	}
	free(r->scen);
	for (i = 0; i < r->novh; i++) {
		for (j = 0; j < r->ovh[i].ns; j++) {
			free(r->ovh[i].s[j].vals);
			free(r->ovh[i].s[j].rounds);
		}
		free(r->ovh[i].s);
	}
	free(r->ovh);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------ main */

#ifndef FAIRNESS_REPORT_NO_MAIN
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fairness-report [--json FILE] [--svg FILE] [--share-from KEY] [--show KEY,...]\n"
		"                       [--quiet] [INPUT...]\n"
		"\n"
		"Reads benchmark records (INPUT files, or standard input when none or '-'),\n"
		"computes hierarchical target and achieved shares, the largest share error\n"
		"at every level (percentage points), Jain's index of achieved/target, total\n"
		"IOPS relative to config 'none', and medians and ratios of overhead samples\n"
		"(also paired by round with mq-deadline's samples);\n"
		"prints tables and writes the JSON document (results/README convention).\n"
		"\n"
		"  --json FILE    write the JSON document to FILE\n"
		"  --svg FILE     draw the shares of the first scenario's runs (bar chart)\n"
		"  --share-from KEY  also compute the shares from this numeric extra of\n"
		"                 the leaves (e.g. xot_rqs, requests io.xot.stat counted)\n"
		"  --show KEYS    also print these KEY=VALUE extras of the entities (e.g.\n"
		"                 lat_p50_us,lat_p99_us)\n"
		"  --quiet        no tables\n"
		"  -h, --help     this help\n"
		"\n"
		"Records, one per line ('#' starts a comment line):\n"
		"  meta KEY TEXT...                    top-level string field\n"
		"  param KEY VALUE                     \"parameters\" entry\n"
		"  device NAME TEXT...                 \"devices\" entry\n"
		"  run SCEN DEV CONFIG SCHED [K=V...]  a measured run (CONFIG NAME#K: run K of\n"
		"                                      NAME; mean and spread over its runs added)\n"
		"  entity SCEN DEV CONFIG NAME PARENT WEIGHT IOPS [K=V...]\n"
		"                                      PARENT '-' = top level; IOPS '-' = inner node\n"
		"  scenario SCEN [K=V...]              overhead scenario attributes\n"
		"  sample SCEN SCHED IOPS [K=V...]     one overhead measurement\n"
		"Exit status: 0 done, 1 bad input or output error, 2 usage error.\n");
}

/* Write @path with @write; 0, or -1 after saying why on stderr. */
static int fr_write_file(const char *path,
			 void (*write)(const struct fr_report *, FILE *),
			 const struct fr_report *r)
{
	FILE *out = fopen(path, "w");

	if (!out) {
		fprintf(stderr, "fairness-report: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	write(r, out);
	if (fclose(out)) {
		fprintf(stderr, "fairness-report: error writing %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct fr_report r;
	struct fr_err e = { "" };
	const char *json = NULL, *show = NULL, *alt = NULL, *svg = NULL;
	int i, quiet = 0, ninputs = 0, ret = 0;

	memset(&r, 0, sizeof(r));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--show") ||
			   !strcmp(argv[i], "--share-from") || !strcmp(argv[i], "--svg")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "fairness-report: %s needs a value (see --help)\n", argv[i]);
				return 2;
			}
			if (!strcmp(argv[i], "--json"))
				json = argv[++i];
			else if (!strcmp(argv[i], "--svg"))
				svg = argv[++i];
			else if (!strcmp(argv[i], "--show"))
				show = argv[++i];
			else
				alt = argv[++i];
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "fairness-report: unknown option '%s' (see --help)\n", argv[i]);
			return 2;
		}
	}
	for (i = 1; i < argc && !ret; i++) {
		FILE *in;

		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--show") ||
		    !strcmp(argv[i], "--share-from") || !strcmp(argv[i], "--svg")) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--quiet"))
			continue;
		ninputs++;
		if (!strcmp(argv[i], "-")) {
			ret = fr_parse(&r, stdin, "<stdin>", &e);
			continue;
		}
		in = fopen(argv[i], "r");
		if (!in) {
			fprintf(stderr, "fairness-report: cannot open %s: %s\n", argv[i], strerror(errno));
			fr_free(&r);
			return 1;
		}
		ret = fr_parse(&r, in, argv[i], &e);
		fclose(in);
	}
	if (!ninputs && !ret)
		ret = fr_parse(&r, stdin, "<stdin>", &e);
	r.alt_key = alt;
	if (!ret && !r.nruns && !r.nsamples)
		ret = fr_fail(&e, "no 'run' or 'sample' records in the input");
	if (!ret)
		ret = fr_compute(&r, &e);
	if (ret) {
		fprintf(stderr, "fairness-report: error: %s\n", e.msg);
		fr_free(&r);
		return 1;
	}
	if (!quiet)
		fr_print_table(&r, stdout, show);
	if (json) {
		if (fr_write_file(json, fr_write_json, &r)) {
			fr_free(&r);
			return 1;
		}
		if (!quiet)
			printf("\nwrote %s\n", json);
	}
	if (svg && r.nruns) {
		if (fr_write_file(svg, fr_write_svg, &r)) {
			fr_free(&r);
			return 1;
		}
		if (!quiet)
			printf("wrote %s\n", svg);
	}
	fr_free(&r);
	return 0;
}
#endif /* FAIRNESS_REPORT_NO_MAIN */
