// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl status: one device's view. Shares between two snapshots
 * (shares.c), each entity's parent (dom0 cgroups by path) and its children
 * in display order, and entity labels.
 */
#include <stdlib.h>
#include <string.h>

#include "status.h"

/* a group's own queues first, then the groups below it */
static const int kind_order[] = { XC_SHARED, XC_PROC, XC_GROUP, XC_VM, XC_GCG };

/* Parents and children lists, so printing is linear in the tree's size. */
static void link_tree(struct devshares *ds)
{
	const struct xc_tree *t = &ds->b->tree;
	int n = t->nr, i, k, *fill;

	ds->tp = calloc((size_t)n + 1, sizeof(int));
	ds->kids = calloc((size_t)n + 1, sizeof(int));
	ds->kstart = calloc((size_t)n + 2, sizeof(int));
	fill = calloc((size_t)n + 1, sizeof(int));
	if (!ds->tp || !ds->kids || !ds->kstart || !fill) {
		free(ds->tp);
		free(ds->kids);
		free(ds->kstart);
		ds->tp = ds->kids = ds->kstart = NULL;
		free(fill);
		return;
	}
	for (i = 0; i < n; i++) {
		if (ds->s)
			ds->tp[i] = ds->s[i].tparent;
		else if (t->e[i].kind == XC_GROUP)
			ds->tp[i] = xc_tree_group_parent(t, i);
		else
			ds->tp[i] = t->e[i].parent;
		if (ds->tp[i] >= 0)
			ds->kstart[ds->tp[i] + 1]++;
	}
	for (i = 0; i < n; i++)
		ds->kstart[i + 1] += ds->kstart[i];
	for (k = 0; k < 5; k++)
		for (i = 0; i < n; i++)
			if ((int)t->e[i].kind == kind_order[k] && ds->tp[i] >= 0) {
				int p = ds->tp[i];

				ds->kids[ds->kstart[p] + fill[p]++] = i;
			}
	free(fill);
}

void status_devshares_free(struct devshares *ds)
{
	free(ds->s);
	free(ds->tp);
	free(ds->kids);
	free(ds->kstart);
}

void status_shares_of(const struct snap *a, const struct devsnap *b, double secs,
		      struct devshares *ds)
{
	const struct devsnap *da = status_find_dev(a, b->dev.name);

	memset(ds, 0, sizeof(*ds));
	ds->b = b;
	ds->secs = secs;
	if (!b->have_tree)
		return;
	if (a && da && da->have_tree) {
		ds->s = calloc((size_t)(b->tree.nr ? b->tree.nr : 1), sizeof(*ds->s));
		if (ds->s)
			ds->total = xc_shares(&da->tree, &b->tree, ds->s, &ds->complete);
	}
	link_tree(ds);
}

void status_ent_label(const struct xc_ent *e, const struct blkback *bb, char *buf, size_t len)
{
	const char *n;

	switch (e->kind) {
	case XC_GROUP:
		snprintf(buf, len, "dom0 cgroup %s", e->path);
		break;
	case XC_VM:
		n = status_vm_name(bb, e->id);
		snprintf(buf, len, "vm %llu%s%s%s", e->id, n ? " (" : "", n ? n : "", n ? ")" : "");
		break;
	case XC_GCG:
		snprintf(buf, len, "guest cgroup id %llu", e->id);
		break;
	case XC_SHARED:
		snprintf(buf, len, "shared queue");
		break;
	default:
		snprintf(buf, len, "process %llu", e->id);
		break;
	}
}

int status_tparent(const struct devshares *ds, int i)
{
	return ds->tp ? ds->tp[i] : -1;
}

