/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-trace: per-entity shares, targets, Jain's index and latency
 * percentiles from the attributed requests (report.c), and the writers of
 * the text table (text.c), JSON (json.c) and SVG plot (svg.c).
 *
 * Levels, each a partition of all completed requests:
 *   top      VMs ("vm5") and dom0 cgroups ("cg:/gold"): the siblings that
 *            share the device at the root of xot's tree;
 *   group    guest cgroups ("vm5/cg1234"; "vm5/-" is the VM's own queue,
 *            guest cgroup id 0) and dom0 cgroups again;
 *   process  queues: "vm5/cg1234/tgid77", "cg:/gold/tgid88(fio)";
 *            "shared" is a group's queue for async I/O and kernel threads.
 * Requests without a message are "pid123(comm)" at every level, or, when
 * the trace carries cgroup ids, their dom0 cgroup at the top and group
 * levels.
 *
 * Target shares follow xot's tree: at the root, VM weight (vw) and dom0
 * cgroup weight (gw) among the active top entities; inside a VM, guest
 * cgroups (gw) and the queues of the VM's own group (w); inside a group,
 * processes (w). "Active" means having completions in the window (or the
 * trace, for the overall figures). Weights are the last ones seen.
 */
#ifndef _XOT_TRACE_REPORT_H
#define _XOT_TRACE_REPORT_H

#include <stdio.h>

#include "attr.h"

enum xt_level { XT_L_TOP, XT_L_GROUP, XT_L_PROC, XT_NLEVELS };
enum xt_metric { XT_M_RQS, XT_M_BYTES, XT_M_TIME, XT_NMETRICS };

extern const char *const xt_level_names[XT_NLEVELS];
extern const char *const xt_metric_names[XT_NMETRICS];

struct xt_pct {
	int n;			/* samples; 0: none */
	double p50, p90, p99;	/* microseconds */
};

struct xt_ent {
	char name[192];
	const char *kind;	/* vm, cgroup, guest-cgroup, vm-queue, process, shared, pid */
	struct xt_who who;	/* of its last request */
	uint32_t weight;	/* its own node's weight; 0: none */
	int weighted;		/* served by xot with weights (a target exists) */
	int parent;		/* index in the level above (top: -1) */
	int direct;		/* process level: a queue directly in a VM or dom0 cgroup */
	uint64_t v[XT_NMETRICS];	/* requests, bytes, device ns */
	double share[XT_NMETRICS];
	double target;		/* < 0: none */
	struct xt_pct q2c, d2c;
};

struct xt_cell {
	uint64_t v[XT_NMETRICS];
	double target;		/* < 0: none */
};

struct xt_levelres {
	struct xt_ent *e;
	size_t n;
	double jain[XT_NMETRICS];	/* of achieved/target; equal targets if unweighted */
	struct xt_cell *cell;		/* [win * n + i] */
	double *wjain;			/* [win * XT_NMETRICS + m]; < 0: none */
};

struct xt_cgmap;

struct xt_report {
	const struct xt_attr *a;
	double window_s;
	size_t nwin;
	uint64_t t0;
	int cgroup_ids;		/* the trace carries cgroup ids (blk_cgroup on) */
	int weighted;		/* some requests carry xot weights */
	uint64_t tot[XT_NMETRICS];
	uint64_t *wtot;		/* [win * XT_NMETRICS + m] */
	struct xt_levelres lv[XT_NLEVELS];
};

/* cgroup id -> path under a cgroup2 mount (cgpath.c) */
struct xt_cgmap *xt_cgmap_load(const char *root, struct xt_err *err);
const char *xt_cgmap_path(const struct xt_cgmap *m, uint64_t id);
void xt_cgmap_free(struct xt_cgmap *m);

int xt_report_build(struct xt_report *r, const struct xt_attr *a, double window_s,
		    const struct xt_cgmap *cg, struct xt_err *err);
void xt_report_free(struct xt_report *r);

static inline double xt_share(uint64_t v, uint64_t tot)
{
	return tot ? (double)v / (double)tot : 0;
}

void xt_write_text(FILE *out, const struct xt_report *r, enum xt_metric m,
		   enum xt_level wl);
void xt_write_json(FILE *out, const struct xt_report *r);
int xt_write_svg(FILE *out, const struct xt_report *r, enum xt_metric m,
		 enum xt_level l, const char *title);

#endif /* _XOT_TRACE_REPORT_H */
