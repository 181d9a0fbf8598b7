// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: who got what over an interval, from two snapshots of the tree.
 *
 * The elevator counts dispatched requests per group, in the group that owns
 * the queue the request was served from (iosched-xot/elevator.c,
 * xot_start_request): a vm line's rqs= counts only the VM's own queue (a
 * guest without a record), a guest-cgroup line's counts its shared and
 * process queues, and a dom0 cgroup's io.xot.stat rqs= (filled in by the
 * caller) counts its own shared and process queues. So an entity's share is
 * its own count plus its descendants', over the device's total.
 *
 * Queues (shared, process) count what was served from them (rqs= on their
 * lines; older modules print none, and then they get no share). That count
 * is already part of their group's own count, so it is not added to the
 * group again; a queue's share of its parent is its count over the
 * parent's whole subtree. A queue that a group at max_queues reuses for
 * another process counts from 0 again under its new tgid (a new key: counted
 * from 0); a group freed and made again shows a counter that went back
 * (counted from 0 too).
 */
#include <stdlib.h>
#include <string.h>

#include "xotctl.h"

/* dom0 cgroup parent: the nearest ancestor path that has a group line */
int xc_tree_group_parent(const struct xc_tree *t, int i)
{
	char *p = strdup(t->e[i].path);
	int found = -1;
	char *slash;

	if (!p)
		return -1;
	while (found < 0 && strcmp(p, "/")) {
		slash = strrchr(p, '/');
		if (!slash)
			break;
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		found = xc_tree_find_group(t, p);
	}
	free(p);
	return found == i ? -1 : found;
}

/* shared and process queues: their count is inside their group's */
static bool is_queue(const struct xc_ent *e)
{
	return e->kind == XC_SHARED || e->kind == XC_PROC;
}

/* The entities of snapshot a that have counters, sorted by key. */
struct keyed {
	char *key;
	int idx;
};

static int cmp_keyed(const void *x, const void *y)
{
	return strcmp(((const struct keyed *)x)->key, ((const struct keyed *)y)->key);
}

static struct keyed *index_keys(const struct xc_tree *t, int *nr)
{
	struct keyed *k;
	char key[512];
	int i, n = 0;

	*nr = 0;
	if (!t || !t->nr)
		return NULL;
	k = calloc((size_t)t->nr, sizeof(*k));
	if (!k)
		return NULL;
	for (i = 0; i < t->nr; i++) {
		if (!t->e[i].has_rqs)
			continue;
		xc_ent_key(t, i, key, sizeof(key));
		k[n].key = strdup(key);
		if (!k[n].key)
			break;
		k[n++].idx = i;
	}
	qsort(k, (size_t)n, sizeof(*k), cmp_keyed);
	*nr = n;
	return k;
}

static int find_key(const struct keyed *k, int nr, const char *key)
{
	struct keyed want = { .key = (char *)key }, *hit;

	if (!k)
		return -1;
	hit = bsearch(&want, k, (size_t)nr, sizeof(*k), cmp_keyed);
	return hit ? hit->idx : -1;
}

long long xc_shares(const struct xc_tree *a, const struct xc_tree *b,
		    struct xc_share *out, bool *complete)
{
	long long total = 0;
	char key[512];
	int i, j, pass, nkeys;
	struct keyed *keys = index_keys(a, &nkeys);

	*complete = true;
	for (i = 0; i < b->nr; i++) {
		const struct xc_ent *e = &b->e[i];
		struct xc_share *s = &out[i];

		memset(s, 0, sizeof(*s));
		s->tparent = e->kind == XC_GROUP ? xc_tree_group_parent(b, i) : e->parent;
		if (!e->has_rqs) {
			/* queues without a counter: an older module, no share */
			if (!is_queue(e))
				*complete = false;
			continue;
		}
		s->known = true;
		s->delta = e->rqs;
		xc_ent_key(b, i, key, sizeof(key));
		j = find_key(keys, nkeys, key);
		if (j >= 0 && a->e[j].has_rqs && a->e[j].rqs <= e->rqs)
			s->delta = e->rqs - a->e[j].rqs;
		/* j < 0: new since a, counted from 0; a counter that went back:
		 * the group was freed and made again, counted from 0 too */
	}
	for (i = 0; i < nkeys; i++)
		free(keys[i].key);
	free(keys);
	/* children before parents: repeat until nothing moves (depth <= 8 + paths) */
	for (i = 0; i < b->nr; i++)
		out[i].subtree = out[i].delta;
	for (pass = 0; pass < b->nr; pass++) {
		bool changed = false;
		long long *sum = calloc((size_t)b->nr, sizeof(*sum));

		if (!sum)
			break;
		for (i = 0; i < b->nr; i++)
			if (out[i].tparent >= 0 && !is_queue(&b->e[i]))
				sum[out[i].tparent] += out[i].subtree;
		for (i = 0; i < b->nr; i++) {
			long long v = out[i].delta + sum[i];

			if (v != out[i].subtree) {
				out[i].subtree = v;
				changed = true;
			}
		}
		free(sum);
		if (!changed)
			break;
	}
	for (i = 0; i < b->nr; i++)
		if (out[i].tparent < 0 && b->e[i].kind == XC_GROUP)
			total += out[i].subtree;
	for (i = 0; i < b->nr; i++) {
		struct xc_share *s = &out[i];
		long long parent_total;

		if ((is_queue(&b->e[i]) && !s->known) || !total)
			continue;
		parent_total = s->tparent >= 0 ? out[s->tparent].subtree : total;
		s->has_share = true;
		s->of_device = (double)s->subtree / (double)total;
		s->of_parent = parent_total ? (double)s->subtree / (double)parent_total : 0;
	}
	return total;
}
