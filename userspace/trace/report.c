// SPDX-License-Identifier: GPL-2.0
/* xot-trace: entities, shares, targets, Jain's index, percentiles (report.h). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/stats.h"
#include "report.h"

const char *const xt_level_names[XT_NLEVELS] = { "top", "group", "process" };
const char *const xt_metric_names[XT_NMETRICS] = { "rqs", "bytes", "time" };

/* ------------------------------------------------ entity tables by name */

struct names {
	int *slot;		/* open addressing: entity index + 1, 0 empty */
	size_t nslot;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int ent_find_or_add(struct xt_levelres *l, struct names *t, size_t *cap,
			   const char *name, int *created)
{
	size_t i;

	if ((l->n + 1) * 2 > t->nslot) {
		size_t ns = t->nslot ? t->nslot * 2 : 256, j;
		int *s = calloc(ns, sizeof(*s));

		if (!s)
			return -1;
		for (j = 0; j < l->n; j++) {
			size_t k = hash_str(l->e[j].name) & (ns - 1);

			while (s[k])
				k = (k + 1) & (ns - 1);
			s[k] = (int)j + 1;
		}
		free(t->slot);
		t->slot = s;
		t->nslot = ns;
	}
	for (i = hash_str(name) & (t->nslot - 1); t->slot[i]; i = (i + 1) & (t->nslot - 1))
		if (!strcmp(l->e[t->slot[i] - 1].name, name)) {
			*created = 0;
			return t->slot[i] - 1;
		}
	if (l->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct xt_ent *e = realloc(l->e, nc * sizeof(*e));

		if (!e)
			return -1;
		l->e = e;
		*cap = nc;
	}
	memset(&l->e[l->n], 0, sizeof(l->e[l->n]));
	snprintf(l->e[l->n].name, sizeof(l->e[l->n].name), "%s", name);
	l->e[l->n].target = -1;
	t->slot[i] = (int)l->n + 1;
	*created = 1;
	return (int)l->n++;
}

/* ------------------------------------------------ naming */

/* The dom0 cgroup of @w as a label, 0 if there is none to tell. */
static int cg_label(char *buf, size_t n, const struct xt_who *w, int cgroup_ids,
		    const struct xt_cgmap *cg)
{
	if (cgroup_ids && w->has_cgid) {
		const char *p = cg ? xt_cgmap_path(cg, w->cgid) : NULL;

		if (p)
			snprintf(buf, n, "cg:%s", p);
		else
			snprintf(buf, n, "cg#%" PRIu64, w->cgid);
		return 1;
	}
	if (w->src == XT_SRC_MSG) {
		/* no ids (blk_cgroup off): groups known by their weight only */
		snprintf(buf, n, "cg?gw=%u", w->gw);
		return 1;
	}
	return 0;
}

struct names3 {
	char n[XT_NLEVELS][192];
	const char *kind[XT_NLEVELS];
	uint32_t weight[XT_NLEVELS];
	int direct;
};

static void name_req(struct names3 *o, const struct xt_who *w, int cgroup_ids,
		     const struct xt_cgmap *cg, const struct xt_attr *a)
{
	char lab[160], proc[64];
	const char *comm;

	memset(o, 0, sizeof(*o));
	if (w->src == XT_SRC_MSG && w->guest) {
		snprintf(o->n[0], sizeof(o->n[0]), "vm%" PRIu64, w->domid);
		o->kind[0] = "vm";
		o->weight[0] = w->vw;
		if (w->gcg) {
			snprintf(o->n[1], sizeof(o->n[1]), "vm%" PRIu64 "/cg%" PRIu64,
				 w->domid, w->gcg);
			o->kind[1] = "guest-cgroup";
			o->weight[1] = w->gw;
		} else {
			snprintf(o->n[1], sizeof(o->n[1]), "vm%" PRIu64 "/-", w->domid);
			o->kind[1] = "vm-queue";
			o->direct = 1;
		}
		/* guest pids: no comm (the PROCESS notes are dom0's) */
		if (w->tgid)
			snprintf(proc, sizeof(proc), "tgid%u", w->tgid);
		else
			snprintf(proc, sizeof(proc), "shared");
		snprintf(o->n[2], sizeof(o->n[2]), "%.120s/%s", o->n[1], proc);
		o->kind[2] = w->tgid ? "process" : "shared";
		o->weight[2] = w->w;
		return;
	}
	if (w->src == XT_SRC_MSG) {
		cg_label(lab, sizeof(lab), w, cgroup_ids, cg);
		snprintf(o->n[0], sizeof(o->n[0]), "%s", lab);
		snprintf(o->n[1], sizeof(o->n[1]), "%s", lab);
		o->kind[0] = o->kind[1] = "cgroup";
		o->weight[0] = o->weight[1] = w->gw;
		comm = w->tgid ? xt_attr_comm(a, w->tgid) : NULL;
		if (!w->tgid)
			snprintf(proc, sizeof(proc), "shared");
		else if (comm)
			snprintf(proc, sizeof(proc), "tgid%u(%s)", w->tgid, comm);
		else
			snprintf(proc, sizeof(proc), "tgid%u", w->tgid);
		snprintf(o->n[2], sizeof(o->n[2]), "%.120s/%s", lab, proc);
		o->kind[2] = w->tgid ? "process" : "shared";
		o->weight[2] = w->w;
		o->direct = 1;
		return;
	}
	comm = xt_attr_comm(a, w->pid);
	if (comm)
		snprintf(proc, sizeof(proc), "pid%u(%s)", w->pid, comm);
	else
		snprintf(proc, sizeof(proc), "pid%u", w->pid);
	if (cg_label(lab, sizeof(lab), w, cgroup_ids, cg)) {
		snprintf(o->n[0], sizeof(o->n[0]), "%s", lab);
		snprintf(o->n[1], sizeof(o->n[1]), "%s", lab);
		snprintf(o->n[2], sizeof(o->n[2]), "%.120s/%s", lab, proc);
		o->kind[0] = o->kind[1] = "cgroup";
	} else {
		snprintf(o->n[0], sizeof(o->n[0]), "%s", proc);
		snprintf(o->n[1], sizeof(o->n[1]), "%s", proc);
		snprintf(o->n[2], sizeof(o->n[2]), "%s", proc);
		o->kind[0] = o->kind[1] = "pid";
	}
	o->kind[2] = "pid";
}

/* ------------------------------------------------ targets */

/*
 * Targets of the process-level entities active in @act (non-zero: has
 * requests), following xot's tree; groups and tops get the sums.
 * @tgt[level][i] receives the target, or -1.
 */
static void compute_targets(const struct xt_report *r, const uint64_t *act, double **tgt)
{
	const struct xt_levelres *T = &r->lv[XT_L_TOP], *G = &r->lv[XT_L_GROUP],
		*P = &r->lv[XT_L_PROC];
	double *childsum = calloc(T->n + 1, sizeof(double));
	double *leafsum = calloc(G->n + 1, sizeof(double));
	char *gseen = calloc(G->n + 1, 1), *tseen = calloc(T->n + 1, 1);
	double sumtop = 0;
	size_t i;
	int l;

	for (l = 0; l < XT_NLEVELS; l++)
		for (i = 0; i < r->lv[l].n; i++)
			tgt[l][i] = -1;
	if (!childsum || !leafsum || !gseen || !tseen)
		goto out;
	for (i = 0; i < P->n; i++) {
		const struct xt_ent *p = &P->e[i];
		int g = p->parent, t = G->e[g].parent;

		if (!act[i] || !p->weighted || !p->weight)
			continue;
		if (!tseen[t] && T->e[t].weight) {
			tseen[t] = 1;
			sumtop += T->e[t].weight;
		}
		if (p->direct) {
			childsum[t] += p->weight;
		} else {
			if (!gseen[g]) {
				gseen[g] = 1;
				childsum[t] += G->e[g].weight;
			}
			leafsum[g] += p->weight;
		}
	}
	for (i = 0; i < P->n && sumtop > 0; i++) {
		const struct xt_ent *p = &P->e[i];
		int g = p->parent, t = G->e[g].parent;
		double x;

		if (!act[i] || !p->weighted || !p->weight || !tseen[t] || childsum[t] <= 0)
			continue;
		x = T->e[t].weight / sumtop;
		if (p->direct)
			x *= p->weight / childsum[t];
		else if (leafsum[g] > 0)
			x *= G->e[g].weight / childsum[t] * p->weight / leafsum[g];
		else
			continue;
		tgt[XT_L_PROC][i] = x;
		tgt[XT_L_GROUP][g] = (tgt[XT_L_GROUP][g] < 0 ? 0 : tgt[XT_L_GROUP][g]) + x;
		tgt[XT_L_TOP][t] = (tgt[XT_L_TOP][t] < 0 ? 0 : tgt[XT_L_TOP][t]) + x;
	}
out:
	free(childsum);
	free(leafsum);
	free(gseen);
	free(tseen);
}

/* Jain's index of achieved/target over the entities with a target, or of
 * the shares themselves when none has one; -1 if no entity is active. */
static double jain_of(const uint64_t *v, const double *tgt, size_t n, uint64_t tot)
{
	double *x = malloc((n + 1) * sizeof(double)), j;
	size_t i, k = 0, kt = 0;

	if (!x)
		return -1;
	for (i = 0; i < n; i++)
		if (tgt[i] > 0)
			x[kt++] = xt_share(v[i], tot) / tgt[i];
	if (!kt)
		for (i = 0; i < n; i++)
			if (v[i])
				x[k++] = xt_share(v[i], tot);
	j = (kt || k) ? xot_jain(x, kt ? kt : k) : -1;
	free(x);
	return j;
}

/* ------------------------------------------------ percentiles */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least p of them at or below it. */
static double rank(const uint64_t *s, size_t n, double p)
{
	size_t k = (size_t)ceil(p * (double)n - 1e-9);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)s[k - 1] / 1000.0;
}

static void fill_pct(struct xt_pct *p, uint64_t *s, size_t n)
{
	p->n = (int)n;
	if (!n)
		return;
	qsort(s, n, sizeof(*s), cmp_u64);
	p->p50 = rank(s, n, 0.50);
	p->p90 = rank(s, n, 0.90);
	p->p99 = rank(s, n, 0.99);
}

static int percentiles(struct xt_report *r, const int *pidx)
{
	const struct xt_attr *a = r->a;
	uint64_t *q = malloc((a->nreq + 1) * sizeof(*q));
	uint64_t *d = malloc((a->nreq + 1) * sizeof(*d));
	size_t *order = malloc((a->nreq + 1) * sizeof(*order));
	size_t *ent = malloc((a->nreq + 1) * sizeof(*ent));
	size_t *start = NULL;
	int l, ret = -1;

	if (!q || !d || !order || !ent)
		goto out;
	for (l = 0; l < XT_NLEVELS; l++) {
		struct xt_levelres *L = &r->lv[l];
		size_t i, e;

		free(start);
		start = calloc(L->n + 2, sizeof(*start));
		if (!start)
			goto out;
		/* bucket the requests by entity (counting sort) */
		for (i = 0; i < a->nreq; i++) {
			int k = pidx[i], m;

			for (m = XT_L_PROC; m > l; m--)
				k = r->lv[m].e[k].parent;
			ent[i] = (size_t)k;
			start[k + 2]++;
		}
		for (e = 0; e < L->n; e++)
			start[e + 2] += start[e + 1];
		for (i = 0; i < a->nreq; i++)
			order[start[ent[i] + 1]++] = i;
		/* now start[e] is where entity e's requests begin */
		for (e = 0; e < L->n; e++) {
			size_t nq = 0, nd = 0, j;

			for (j = start[e]; j < start[e + 1]; j++) {
				const struct xt_req *rq = &a->reqs[order[j]];

				d[nd++] = rq->tc - rq->td;
				if (rq->has_q && rq->tq <= rq->tc)
					q[nq++] = rq->tc - rq->tq;
			}
			fill_pct(&L->e[e].d2c, d, nd);
			fill_pct(&L->e[e].q2c, q, nq);
		}
	}
	ret = 0;
out:
	free(q);
	free(d);
	free(order);
	free(ent);
	free(start);
	return ret;
}

/* ------------------------------------------------ sorting by name */

static const struct xt_ent *sort_base;

static int cmp_ent(const void *a, const void *b)
{
	return strverscmp(sort_base[*(const int *)a].name, sort_base[*(const int *)b].name);
}

/* Sort level @l by name; @map[old] = new. */
static int sort_level(struct xt_levelres *L, int *map)
{
	int *perm = malloc((L->n + 1) * sizeof(int));
	struct xt_ent *e = malloc((L->n + 1) * sizeof(*e));
	size_t i;

	if (!perm || !e) {
		free(perm);
		free(e);
		return -1;
	}
	for (i = 0; i < L->n; i++)
		perm[i] = (int)i;
	sort_base = L->e;
	qsort(perm, L->n, sizeof(int), cmp_ent);
	for (i = 0; i < L->n; i++) {
		e[i] = L->e[perm[i]];
		map[perm[i]] = (int)i;
	}
	free(L->e);
	L->e = e;
	free(perm);
	return 0;
}

/* ------------------------------------------------ build */

int xt_report_build(struct xt_report *r, const struct xt_attr *a, double window_s,
		    const struct xt_cgmap *cg, struct xt_err *err)
{
	struct names tab[XT_NLEVELS] = { 0 };
	size_t cap[XT_NLEVELS] = { 0 };
	int *pidx = NULL, *map[XT_NLEVELS] = { 0 };
	uint64_t *act = NULL;
	double *tgt[XT_NLEVELS] = { 0 };
	size_t i, w;
	int l, ret = -1;

	memset(r, 0, sizeof(*r));
	r->a = a;
	r->window_s = window_s;
	r->t0 = a->st.t0;
	r->cgroup_ids = a->st.cg_records > 0;
	r->nwin = (size_t)ceil((double)(a->st.tend - a->st.t0) / (window_s * 1e9) - 1e-9);
	if (r->nwin < 1)
		r->nwin = 1;
	pidx = malloc((a->nreq + 1) * sizeof(*pidx));
	if (!pidx)
		goto nomem;

	/* entities */
	for (i = 0; i < a->nreq; i++) {
		const struct xt_who *who = &a->reqs[i].who;
		struct names3 n;
		int idx[XT_NLEVELS], created;

		name_req(&n, who, r->cgroup_ids, cg, a);
		for (l = 0; l < XT_NLEVELS; l++) {
			struct xt_ent *e;

			idx[l] = ent_find_or_add(&r->lv[l], &tab[l], &cap[l], n.n[l], &created);
			if (idx[l] < 0)
				goto nomem;
			e = &r->lv[l].e[idx[l]];
			if (created)
				e->parent = l ? idx[l - 1] : -1;
			e->kind = n.kind[l];
			e->who = *who;
			if (who->src == XT_SRC_MSG) {
				e->weighted = 1;
				e->weight = n.weight[l];
			}
			if (l == XT_L_PROC)
				e->direct = n.direct;
		}
		if (who->src == XT_SRC_MSG)
			r->weighted = 1;
		pidx[i] = idx[XT_L_PROC];
	}
	for (l = 0; l < XT_NLEVELS; l++) {
		free(tab[l].slot);
		tab[l].slot = NULL;
	}

	/* sort every level by name, then fix parents and request indices */
	for (l = 0; l < XT_NLEVELS; l++) {
		map[l] = malloc((r->lv[l].n + 1) * sizeof(int));
		if (!map[l] || sort_level(&r->lv[l], map[l]))
			goto nomem;
	}
	for (l = 1; l < XT_NLEVELS; l++)
		for (i = 0; i < r->lv[l].n; i++)
			r->lv[l].e[i].parent = map[l - 1][r->lv[l].e[i].parent];
	for (i = 0; i < a->nreq; i++)
		pidx[i] = map[XT_L_PROC][pidx[i]];

	/* sums, overall and per window (a cell per window and entity) */
	if ((double)r->nwin * (double)(r->lv[0].n + r->lv[1].n + r->lv[2].n) > 5e7) {
		xt_fail(err, "%zu windows of %g s for %zu entities: too many; use a longer --window",
			r->nwin, window_s, r->lv[XT_L_PROC].n);
		goto out;
	}
	r->wtot = calloc(r->nwin * XT_NMETRICS, sizeof(*r->wtot));
	if (!r->wtot)
		goto nomem;
	for (l = 0; l < XT_NLEVELS; l++) {
		r->lv[l].cell = calloc(r->nwin * r->lv[l].n + 1, sizeof(struct xt_cell));
		r->lv[l].wjain = malloc((r->nwin * XT_NMETRICS + 1) * sizeof(double));
		if (!r->lv[l].cell || !r->lv[l].wjain)
			goto nomem;
	}
	for (i = 0; i < a->nreq; i++) {
		const struct xt_req *rq = &a->reqs[i];
		uint64_t v[XT_NMETRICS] = { 1, rq->bytes, rq->tc - rq->td };
		uint64_t rel = rq->tc > r->t0 ? rq->tc - r->t0 : 0;
		int k = pidx[i], m;

		w = (size_t)((double)rel / (window_s * 1e9));
		if (w >= r->nwin)
			w = r->nwin - 1;
		for (m = 0; m < XT_NMETRICS; m++) {
			r->tot[m] += v[m];
			r->wtot[w * XT_NMETRICS + m] += v[m];
		}
		for (l = XT_L_PROC; l >= 0; l--) {
			struct xt_levelres *L = &r->lv[l];

			for (m = 0; m < XT_NMETRICS; m++) {
				L->e[k].v[m] += v[m];
				L->cell[w * L->n + k].v[m] += v[m];
			}
			k = L->e[k].parent;
		}
	}

	/* shares and targets */
	act = malloc((r->lv[XT_L_PROC].n + 1) * sizeof(*act));
	for (l = 0; l < XT_NLEVELS; l++)
		if (!(tgt[l] = malloc((r->lv[l].n + 1) * sizeof(double))))
			goto nomem;
	if (!act)
		goto nomem;
	for (l = 0; l < XT_NLEVELS; l++)
		for (i = 0; i < r->lv[l].n; i++) {
			int m;

			for (m = 0; m < XT_NMETRICS; m++)
				r->lv[l].e[i].share[m] = xt_share(r->lv[l].e[i].v[m], r->tot[m]);
		}
	for (i = 0; i < r->lv[XT_L_PROC].n; i++)
		act[i] = r->lv[XT_L_PROC].e[i].v[XT_M_RQS];
	compute_targets(r, act, tgt);
	for (l = 0; l < XT_NLEVELS; l++)
		for (i = 0; i < r->lv[l].n; i++)
			r->lv[l].e[i].target = tgt[l][i];
	for (w = 0; w < r->nwin; w++) {
		const struct xt_levelres *P = &r->lv[XT_L_PROC];

		for (i = 0; i < P->n; i++)
			act[i] = P->cell[w * P->n + i].v[XT_M_RQS];
		compute_targets(r, act, tgt);
		for (l = 0; l < XT_NLEVELS; l++)
			for (i = 0; i < r->lv[l].n; i++)
				r->lv[l].cell[w * r->lv[l].n + i].target = tgt[l][i];
	}

	/* Jain's index, overall and per window */
	for (l = 0; l < XT_NLEVELS; l++) {
		struct xt_levelres *L = &r->lv[l];
		uint64_t *vv = malloc((L->n + 1) * sizeof(*vv));
		double *tt = malloc((L->n + 1) * sizeof(*tt));
		int m;

		if (!vv || !tt) {
			free(vv);
			free(tt);
			goto nomem;
		}
		for (m = 0; m < XT_NMETRICS; m++) {
			for (i = 0; i < L->n; i++) {
				vv[i] = L->e[i].v[m];
				tt[i] = L->e[i].target;
			}
			L->jain[m] = jain_of(vv, tt, L->n, r->tot[m]);
			for (w = 0; w < r->nwin; w++) {
				for (i = 0; i < L->n; i++) {
					vv[i] = L->cell[w * L->n + i].v[m];
					tt[i] = L->cell[w * L->n + i].target;
				}
				L->wjain[w * XT_NMETRICS + m] =
					jain_of(vv, tt, L->n, r->wtot[w * XT_NMETRICS + m]);
			}
		}
		free(vv);
		free(tt);
	}
	if (percentiles(r, pidx))
		goto nomem;
	ret = 0;
	goto out;
nomem:
	xt_fail(err, "out of memory");
out:
	for (l = 0; l < XT_NLEVELS; l++) {
		free(tab[l].slot);
		free(map[l]);
		free(tgt[l]);
	}
	free(act);
	free(pidx);
	return ret;
}

void xt_report_free(struct xt_report *r)
{
	int l;

	for (l = 0; l < XT_NLEVELS; l++) {
		free(r->lv[l].e);
		free(r->lv[l].cell);
		free(r->lv[l].wjain);
	}
	free(r->wtot);
	memset(r, 0, sizeof(*r));
}
