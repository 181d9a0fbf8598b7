// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl status: the tables (devices, xot-blkback, xot-tagger, shares).
 */
#include <stdlib.h>
#include <string.h>

#include <xot/wire.h>

#include "status.h"

static void pct(char *buf, size_t len, bool ok, double v)
{
	if (ok)
		snprintf(buf, len, "%.1f%%", 100.0 * v);
	else
		snprintf(buf, len, "-");
}

static void table_ent(const struct devshares *ds, const struct blkback *bb, int i, int depth)
{
	const struct xc_tree *t = &ds->b->tree;
	const struct xc_ent *e = &t->e[i];
	const struct xc_share *s = ds->s ? &ds->s[i] : NULL;
	char label[200], rqs[32] = "-", own[32] = "-", rate[32] = "-", par[16], dev[16];
	int k, idle = 0;

	status_ent_label(e, bb, label, sizeof(label));
	if (s && (s->known || s->subtree))
		snprintf(rqs, sizeof(rqs), "%lld", s->subtree);
	if (s && s->known)
		snprintf(own, sizeof(own), "%lld", s->delta);
	if (s && (s->known || s->subtree) && ds->secs > 0)
		snprintf(rate, sizeof(rate), "%.0f", (double)s->subtree / ds->secs);
	if ((e->kind == XC_SHARED || e->kind == XC_PROC) && !e->has_rqs) {
		/* an older module: queues without a counter */
		snprintf(rqs, sizeof(rqs), "n/a");
		snprintf(own, sizeof(own), "n/a");
	}
	pct(par, sizeof(par), s && s->has_share, s ? s->of_parent : 0);
	pct(dev, sizeof(dev), s && s->has_share, s ? s->of_device : 0);
	printf("  %*s%-*s %6u %6u %9s %9s %9s %9s %9s\n", 2 * depth, "", 40 - 2 * depth, label,
	       e->weight, e->queued, own, rqs, rate, par, dev);
	if (!ds->kstart)
		return;
	/* children in kind order: queues, then the groups below */
	for (k = ds->kstart[i]; k < ds->kstart[i + 1]; k++) {
		const struct xc_ent *c = &t->e[ds->kids[k]];
		bool queue = c->kind == XC_SHARED || c->kind == XC_PROC;

		if (queue && !c->queued && !c->active) {
			idle++;
			continue;
		}
		if (!queue && idle) {
			printf("  %*s(%d idle queue%s)\n", 2 * depth + 2, "", idle,
			       idle > 1 ? "s" : "");
			idle = 0;
		}
		table_ent(ds, bb, ds->kids[k], depth + 1);
	}
	if (idle)
		printf("  %*s(%d idle queue%s)\n", 2 * depth + 2, "", idle, idle > 1 ? "s" : "");
}

static void table_shares(const struct devshares *ds, const struct blkback *bb)
{
	const struct devsnap *b = ds->b;
	int i;

	printf("\nSHARES %s (%s)", b->dev.name, b->dev.majmin);
	if (!b->have_tree) {
		printf(": no scheduling tree (%s: %s)\n", "/sys/kernel/debug/block/DEV/sched/tree",
		       strerror(b->tree_err));
		printf("  mount debugfs (mount -t debugfs none /sys/kernel/debug) and run as root\n");
		return;
	}
	if (ds->s)
		printf(" over %.2f s: %lld requests dispatched (%.0f/s)\n", ds->secs, ds->total,
		       ds->secs > 0 ? (double)ds->total / ds->secs : 0.0);
	else
		printf(": one snapshot only (--interval 0), no shares\n");
	printf("  %-40s %6s %6s %9s %9s %9s %9s %9s\n", "ENTITY", "WEIGHT", "QUEUED", "OWN_RQS",
	       "RQS", "RQS/S", "OF_PARENT", "OF_DEVICE");
	for (i = 0; i < b->tree.nr; i++)
		if (b->tree.e[i].kind == XC_GROUP && status_tparent(ds, i) < 0)
			table_ent(ds, bb, i, 0);
	if (ds->s && !ds->complete)
		printf("  note: some dom0 cgroups' io.xot.stat could not be read: their own "
		       "requests are not counted\n");
	if (b->tree.bad_lines)
		printf("  note: %d tree line%s not understood (newer module?)\n",
		       b->tree.bad_lines, b->tree.bad_lines > 1 ? "s" : "");
}

void status_table(const struct snap *a, const struct snap *b, const struct blkback *bb)
{
	struct tunable t[32];
	int i, j, n;

	printf("DEVICES ON XOT\n");
	if (!b->nr)
		printf("  none (echo xot > /sys/block/DEV/queue/scheduler)\n");
	for (i = 0; i < b->nr; i++) {
		char *st = status_dev_stats(b->d[i].dev.name);

		printf("  %-10s %-8s", b->d[i].dev.name, b->d[i].dev.majmin);
		n = status_tunables(b->d[i].dev.name, t, 32);
		for (j = 0; j < n; j++)
			printf(" %s=%s", t[j].name, t[j].value);
		printf("\n");
		if (st) {
			char *p;

			for (p = st; *p; p++)
				if (*p == '\n')
					*p = ',';
				else if (*p == ' ')
					*p = '=';
			xc_chomp(st);
			if (*st && st[strlen(st) - 1] == ',')
				st[strlen(st) - 1] = '\0';
			printf("  %-10s %-8s stats: %s\n", "", "", st);
			free(st);
		}
	}

	printf("\nXOT-BLKBACK: %s%s\n",
	       bb->loaded ? "loaded" : "not loaded",
	       bb->dom0 ? " (dom0)" : " (not dom0)");
	if (bb->loaded) {
		printf("  vm_weights: %s\n", bb->weights && *bb->weights ? bb->weights :
		       "(none: every VM weighs 100)");
		if (bb->vbds_err) {
			printf("  vbds: /sys/kernel/debug/xot-blkback/vbds: %s\n",
			       strerror(bb->vbds_err));
		} else if (!bb->vbds.nr) {
			printf("  no vbds\n");
		} else {
			printf("  %-6s %-16s %6s %7s %-7s %4s %5s %9s %9s %9s %9s %9s %4s %6s\n",
			       "DOMID", "VM", "WEIGHT", "VBD", "CHANNEL", "VER", "RINGS",
			       "MATCHED", "CONTINUED", "UNMATCHED", "REJECTED", "DROPPED",
			       "UPS", "ERRORS");
			for (i = 0; i < bb->vbds.nr; i++) {
				const struct xc_vbd *v = &bb->vbds.v[i];
				/* xot-blkback brings a channel up only at its own version */
				char ver[16];

				snprintf(ver, sizeof(ver), "%d", XOT_WIRE_VERSION);
				printf("  %-6u %-16s %6u %7u %-7s %4s %5u %9llu %9llu %9llu %9llu %9llu %4llu %6llu\n",
				       v->domid, v->vm, v->vm_weight, v->devid,
				       v->up ? "up" : "down", v->up ? ver : "-", v->rings,
				       v->matched, v->continued, v->unmatched, v->rejected,
				       v->dropped, v->ups, v->errors);
				if (v->nr_reasons) {
					printf("  %-6s rejected:", "");
					for (j = 0; j < v->nr_reasons; j++)
						printf(" %s=%llu", v->reason[j].name, v->reason[j].n);
					printf("\n");
				}
				if (!v->up && v->bios)
					printf("  %-6s no channel: %llu bios scheduled by VM only\n",
					       "", v->bios);
			}
		}
	}
	if (bb->tagger) {
		printf("\nXOT-TAGGER (guest): loaded\n");
		if (!bb->tagger_readable)
			printf("  /sys/kernel/debug/xot-tagger: not readable (debugfs, root)\n");
		for (j = 0; j < bb->nr_tagger; j++) {
			char *text = strdup(bb->tagger_files[j].text), *l, *save = NULL;

			printf("  %s:\n", bb->tagger_files[j].name);
			for (l = text ? strtok_r(text, "\n", &save) : NULL; l;
			     l = strtok_r(NULL, "\n", &save))
				printf("    %s\n", l);
			free(text);
		}
	}

	for (i = 0; i < b->nr; i++) {
		struct devshares ds;

		status_shares_of(a, &b->d[i], b->t - (a ? a->t : b->t), &ds);
		table_shares(&ds, bb);
		status_devshares_free(&ds);
	}
}

