// SPDX-License-Identifier: GPL-2.0
/*
 * The report of one run: per entity (cgroups with their subtrees, and leaf
 * queues) the weight, the target share at its level and of the whole
 * device, the achieved shares, IOPS, bandwidth and latency; the largest
 * share error at every level, Jain's index; as a table and as a scenario
 * of a JSON document in the shape of ../shared/RESULTS.md.
 *
 * Shares are of the service charged, in core cost units (8 + sectors/8
 * per request, include/xot/cost.h): with equal request sizes that is the
 * share of IOPS. Targets divide each parent's share among its children in
 * proportion to their weights, over the children that took part in the
 * measurement window (had a request in the system during it): an idle
 * entity's share belongs to the others, as a work-conserving scheduler
 * gives it to them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/stats.h"
#include "sim.h"
#include "../common/json.h"

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank: the smallest value with at least @p of the values at or below it */
static double pct_us(const u64 *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return 0;
	k = (size_t)ceil(p * (double)n);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)v[k - 1] / 1e3;
}

struct builder {
	struct sim_report *r;
	const struct sim_model *m;
	size_t cap;
};

static int add_node(struct builder *b, const char *name, enum sim_node_kind kind, int depth,
		    int parent, u32 weight)
{
	struct sim_node *n;

	sim_grow(&b->r->node, &b->cap, b->r->n + 1, sizeof(*b->r->node));
	n = &b->r->node[b->r->n];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->kind = kind;
	n->depth = depth;
	n->parent = parent;
	n->weight = weight;
	if (depth > b->r->max_depth)
		b->r->max_depth = depth;
	return (int)b->r->n++;
}

/* the children of @cg: its queues, then its child cgroups, depth first */
static void add_children(struct builder *b, const struct sim_cgroup *cg, int parent)
{
	const struct sim_model *m = b->m;
	int idx, depth = cg->depth + 1;
	size_t i;

	if (depth > SIM_MAX_LEVELS)
		return;
	for (i = 0; i < m->nq; i++) {
		const struct sim_queue *q = m->q[i];

		if (q->cg != cg)
			continue;
		idx = add_node(b, q->name, q->shared ? SIM_NODE_SHARED : SIM_NODE_PROCESS,
			       depth, parent, q->entity.weight);
		b->r->node[idx].q = q;
		b->r->node[idx].leaf = true;
	}
	for (i = 1; i < m->ncg; i++) {
		const struct sim_cgroup *c = m->cg[i];

		if (c->parent != cg)
			continue;
		idx = add_node(b, c->path, SIM_NODE_CGROUP, depth, parent, c->group.entity.weight);
		b->r->node[idx].cg = c;
		add_children(b, c, idx);
	}
}

/* latency figures of the leaves under node @i (itself if a leaf) */
static void latency(struct sim_report *r, size_t i)
{
	struct sim_node *n = &r->node[i];
	size_t j, k, total = 0;
	u64 *all, sum = 0;

	for (j = i; j < r->n && (j == i || r->node[j].depth > n->depth); j++)
		if (r->node[j].leaf)
			total += r->node[j].q->st.nlat;
	if (!total)
		return;
	all = sim_xmalloc(total * sizeof(*all));
	for (j = i, k = 0; j < r->n && (j == i || r->node[j].depth > n->depth); j++) {
		const struct sim_qstats *st;

		if (!r->node[j].leaf)
			continue;
		st = &r->node[j].q->st;
		memcpy(all + k, st->lat, st->nlat * sizeof(*all));
		k += st->nlat;
		sum += st->lat_sum;
	}
	qsort(all, total, sizeof(*all), cmp_u64);
	n->lat_mean_us = (double)sum / (double)total / 1e3;
	n->lat_p50_us = pct_us(all, total, 0.50);
	n->lat_p99_us = pct_us(all, total, 0.99);
	n->lat_max_us = (double)all[total - 1] / 1e3;
	free(all);
}

void sim_report_build(struct sim_report *r, const struct sim_model *m,
		      const struct sim_result *res)
{
	struct builder b = { .r = r, .m = m };
	double win, total_cost = 0, *x;
	size_t i, j, nx = 0;

	memset(r, 0, sizeof(*r));
	r->res = *res;
	add_children(&b, m->cg[0], -1);
	win = (double)(res->win_end - res->win_start) / 1e9;
	r->window_s = win;

	/* leaves: their own figures; then every leaf adds itself to its ancestors */
	for (i = 0; i < r->n; i++) {
		struct sim_node *n = &r->node[i];
		const struct sim_qstats *st;
		int p;

		if (!n->leaf)
			continue;
		st = &n->q->st;
		n->completed = st->completed;
		n->bytes = st->bytes;
		n->cost = st->cost;
		n->present = st->present;
		n->wait_max_us = (double)st->wait_max_ns / 1e3;
		n->gap_max = st->gap_max;
		n->busy = win > 0 ? (double)st->busy_ns / 1e9 / win : 0;
		total_cost += (double)st->cost;
		for (p = n->parent; p >= 0; p = r->node[p].parent) {
			struct sim_node *a = &r->node[p];

			a->completed += n->completed;
			a->bytes += n->bytes;
			a->cost += n->cost;
			a->present |= n->present;
			if (n->wait_max_us > a->wait_max_us)
				a->wait_max_us = n->wait_max_us;
		}
	}
	for (i = 0; i < r->n; i++) {
		struct sim_node *n = &r->node[i];

		if (!n->leaf)
			n->busy = win > 0 ? (double)n->cg->busy_ns / 1e9 / win : 0;
		n->iops = win > 0 ? (double)n->completed / win : 0;
		n->mbps = win > 0 ? (double)n->bytes / win / (1024.0 * 1024.0) : 0;
		r->total_iops += n->leaf ? n->iops : 0;
		r->total_mbps += n->leaf ? n->mbps : 0;
		latency(r, i);
	}

	/* targets among the siblings that took part; achieved shares of cost */
	for (i = 0; i < r->n; i++) {
		struct sim_node *n = &r->node[i];
		double wsum = 0, pcost;

		if (!n->present)
			continue;
		for (j = 0; j < r->n; j++)
			if (r->node[j].parent == n->parent && r->node[j].present)
				wsum += r->node[j].weight;
		n->local_target = n->weight / wsum;
		n->target = n->parent < 0 ? n->local_target :
			n->local_target * r->node[n->parent].target;
		pcost = n->parent < 0 ? total_cost : (double)r->node[n->parent].cost;
		n->local_achieved = pcost > 0 ? (double)n->cost / pcost : 0;
		n->achieved = total_cost > 0 ? (double)n->cost / total_cost : 0;
		n->error_pp = fabs(n->achieved - n->target) * 100;
		if (n->error_pp > r->level_err[n->depth])
			r->level_err[n->depth] = n->error_pp;
		if (n->error_pp > r->max_err)
			r->max_err = n->error_pp;
	}

	/* Jain's index of achieved/target over the leaves that took part */
	x = sim_xmalloc((r->n ? r->n : 1) * sizeof(*x));
	for (i = 0; i < r->n; i++)
		if (r->node[i].leaf && r->node[i].present && r->node[i].target > 0)
			x[nx++] = r->node[i].achieved / r->node[i].target;
	r->jain = xot_jain(x, nx);
	free(x);

	r->utilisation = win > 0 && res->servers ?
		(double)res->dev_server_ns / 1e9 / win / res->servers : 0;
}

void sim_report_free(struct sim_report *r)
{
	free(r->node);
	memset(r, 0, sizeof(*r));
}

const struct sim_node *sim_report_find(const struct sim_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->node[i].name, name))
			return &r->node[i];
	return NULL;
}

void sim_describe_setup(char *buf, size_t len, const struct sim_model *m)
{
	const struct sim_settings *s = &m->set;
	char svc[32], bw[48] = "";

	if (s->dev.bw)
		snprintf(bw, sizeof(bw), " bandwidth=%.6gM/s", (double)s->dev.bw / 1048576.0);
	snprintf(buf, len, "depth=%u servers=%u service=%s%s dist=%s",
		 s->dev.depth, s->dev.servers ? s->dev.servers : s->dev.depth,
		 sim_fmt_time(svc, sizeof(svc), s->dev.service_ns), bw,
		 s->dev.dist == SIM_DIST_EXP ? "exp" : "fixed");
}

static const char *kind_name(enum sim_node_kind k)
{
	switch (k) {
	case SIM_NODE_CGROUP:
		return "cgroup";
	case SIM_NODE_PROCESS:
		return "process";
	default:
		return "shared";
	}
}

void sim_report_print(FILE *out, const struct sim_report *r, const struct sim_model *m)
{
	const struct sim_result *res = &r->res;
	char dev[160];
	size_t i, w = 6, nidle = 0;
	int d;

	sim_describe_setup(dev, sizeof(dev), m);
	fprintf(out, "scenario %s: device %s; elevator max_inflight=%u nr_requests=%u; seed %llu\n",
		m->name, dev, m->set.max_inflight, m->set.nr_requests,
		(unsigned long long)m->set.seed);
	fprintf(out, "measured %.6f s .. %.6f s (%.6f s)\n", (double)res->win_start / 1e9,
		(double)res->win_end / 1e9, r->window_s);
	for (i = 0; i < r->n; i++) {
		size_t len = strlen(r->node[i].name) + 2 * (size_t)(r->node[i].depth - 1);

		if (len > w)
			w = len;
	}
	fprintf(out, "%-*s %6s %7s %8s %8s %8s %6s %10s %8s %9s %9s %9s %6s\n", (int)w,
		"entity", "weight", "target", "(local)", "achieved", "(local)", "err_pp", "IOPS",
		"MiB/s", "mean_us", "p50_us", "p99_us", "busy%");
	for (i = 0; i < r->n; i++) {
		const struct sim_node *n = &r->node[i];

		d = 2 * (n->depth - 1);
		fprintf(out, "%*s%-*s %6u ", d, "", (int)w - d, n->name, n->weight);
		if (n->present)
			fprintf(out, "%6.2f%% %7.2f%% %7.2f%% %7.2f%% %6.2f ",
				n->target * 100, n->local_target * 100, n->achieved * 100,
				n->local_achieved * 100, n->error_pp);
		else
			fprintf(out, "%7s %8s %8s %8s %6s ", "idle", "-", "-", "-", "-");
		fprintf(out, "%10.1f %8.2f %9.1f %9.1f %9.1f %6.1f\n", n->iops, n->mbps,
			n->lat_mean_us, n->lat_p50_us, n->lat_p99_us, n->busy * 100);
	}
	fprintf(out, "max_abs_share_error: %.2f pp (", r->max_err);
	for (d = 1; d <= r->max_depth; d++)
		fprintf(out, "%sdepth %d: %.2f", d > 1 ? ", " : "", d, r->level_err[d]);
	fprintf(out, ")\njain_index: %.4f\n", r->jain);
	/* entities whose demand, not their weight, set their share */
	for (i = 0; i < r->n; i++) {
		const struct sim_node *n = &r->node[i];

		if (!n->present || n->busy >= 0.5)
			continue;
		fprintf(out, "%s%s", nidle++ ? ", " : "backlogged less than half the time (their share follows their demand): ",
			n->name);
	}
	if (nidle)
		fputc('\n', out);
	fprintf(out, "total: %.1f IOPS, %.2f MiB/s; device servers busy %.1f%%\n",
		r->total_iops, r->total_mbps, r->utilisation * 100);
	fprintf(out, "elevator: %llu dispatched, %llu throttled by max_inflight, %llu held by slot shares, at most %u queued; %llu waited for a tag (at most %u at once)%s\n",
		(unsigned long long)res->dispatched, (unsigned long long)res->throttled,
		(unsigned long long)res->slot_held, res->max_queued, (unsigned long long)res->tag_waits, res->max_tag_wait,
		res->unfinished ? "" : "; every request completed");
}


void sim_report_json(FILE *out, const struct sim_report *r, const struct sim_model *m,
		     const char *sweep_key, const char *sweep_value)
{
	const struct sim_result *res = &r->res;
	char dev[160];
	size_t i;
	int d;

	sim_describe_setup(dev, sizeof(dev), m);
	fputs("{\"scenario\": ", out);
	xot_json_str(out, m->name);
	fputs(", \"device\": ", out);
	xot_json_str(out, dev);
	fprintf(out, ", \"scheduler\": \"xot\", \"config\": \"%s\"",
		m->set.max_inflight ? "xot-mi" : "xot");
	fprintf(out, ", \"max_inflight\": %u, \"nr_requests\": %u, \"seed\": %llu",
		m->set.max_inflight, m->set.nr_requests, (unsigned long long)m->set.seed);
	fprintf(out, ", \"window_s\": [%.6f, %.6f]", (double)res->win_start / 1e9,
		(double)res->win_end / 1e9);
	if (sweep_key) {
		fputs(", \"sweep\": {", out);
		xot_json_str(out, sweep_key);
		fputs(": ", out);
		xot_json_str(out, sweep_value);
		fputs("}", out);
	}
	fputs(",\n      \"entities\": [", out);
	for (i = 0; i < r->n; i++) {
		const struct sim_node *n = &r->node[i];

		fputs(i ? ",\n        {" : "\n        {", out);
		fputs("\"name\": ", out);
		xot_json_str(out, n->name);
		fprintf(out, ", \"level\": \"%s\", \"depth\": %d, \"parent\": ", kind_name(n->kind),
			n->depth);
		if (n->parent >= 0)
			xot_json_str(out, r->node[n->parent].name);
		else
			fputs("null", out);
		fprintf(out, ", \"weight\": %u, \"present\": %s", n->weight,
			n->present ? "true" : "false");
		fprintf(out, ", \"target_share\": %.4f, \"achieved_share\": %.4f", n->target,
			n->achieved);
		fprintf(out, ", \"local_target_share\": %.4f, \"local_achieved_share\": %.4f",
			n->local_target, n->local_achieved);
		fprintf(out, ", \"abs_share_error\": %.2f, \"iops\": %.1f, \"mib_per_s\": %.3f",
			n->error_pp, n->iops, n->mbps);
		fprintf(out, ", \"requests\": %llu, \"lat_mean_us\": %.1f, \"lat_p50_us\": %.1f, \"lat_p99_us\": %.1f, \"lat_max_us\": %.1f",
			(unsigned long long)n->completed, n->lat_mean_us, n->lat_p50_us,
			n->lat_p99_us, n->lat_max_us);
		fprintf(out, ", \"busy\": %.4f, \"max_wait_us\": %.1f", n->busy, n->wait_max_us);
		if (n->leaf)
			fprintf(out, ", \"max_gap_dispatches\": %llu", (unsigned long long)n->gap_max);
		fputs("}", out);
	}
	fputs("\n      ],\n", out);
	fprintf(out, "      \"max_abs_share_error\": %.2f,\n", r->max_err);
	fputs("      \"max_abs_share_error_per_level\": [", out);
	for (d = 1; d <= r->max_depth; d++)
		fprintf(out, "%s%.2f", d > 1 ? ", " : "", r->level_err[d]);
	fprintf(out, "],\n      \"jain_index\": %.4f,\n", r->jain);
	fprintf(out, "      \"total_iops\": %.1f, \"total_mib_per_s\": %.3f, \"utilisation\": %.4f,\n",
		r->total_iops, r->total_mbps, r->utilisation);
	fprintf(out, "      \"dispatched\": %llu, \"throttled\": %llu, \"max_queued\": %u, \"tag_waits\": %llu, \"unfinished\": %llu\n    }",
		(unsigned long long)res->dispatched, (unsigned long long)res->throttled,
		res->max_queued, (unsigned long long)res->tag_waits,
		(unsigned long long)res->unfinished);
}
