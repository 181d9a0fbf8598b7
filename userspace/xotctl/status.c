// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl status: devices on xot and their tunables; xot-blkback's channels
 * per VM and vbd; the shares each entity got over the last interval, from
 * two snapshots of each device's debugfs tree (see shares.c for what is
 * counted); the guest tagger's debugfs files, raw, in a guest.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xot/wire.h>

#include "xotctl.h"

static const char status_help[] =
	"Usage: xotctl status [--json] [--interval SEC] [--watch SEC [--count N]]\n"
	"\n"
	"Shows, on dom0 or any host using the xot elevator:\n"
	"  - block devices whose scheduler is xot, with their tunables\n"
	"    (/sys/block/DEV/queue/iosched/) and elevator counters (debugfs stats);\n"
	"  - xot-blkback (dom0): per VM and vbd, whether the XoT channel is up, its\n"
	"    protocol version, and records matched, unmatched, rejected (by reason)\n"
	"    and dropped;\n"
	"  - live shares: requests dispatched per VM, guest cgroup and dom0 cgroup\n"
	"    over the interval, as a share of the parent and of the device, from two\n"
	"    snapshots of /sys/kernel/debug/block/DEV/sched/tree (and io.xot.stat for\n"
	"    dom0 cgroups). Process queues are listed with their weight and queued\n"
	"    requests but have no share: the elevator keeps no per-queue counter;\n"
	"  - in a guest: xot-tagger's debugfs files as they are.\n"
	"debugfs must be mounted (/sys/kernel/debug) and readable (root).\n"
	"\n"
	"Share columns: WEIGHT and QUEUED now; OWN_RQS requests dispatched from the\n"
	"entity's own queues in the interval; RQS the same with everything below it;\n"
	"RQS/S per second; OF_PARENT and OF_DEVICE its RQS over its parent's and the\n"
	"device's. \"n/a\": the elevator has no counter for it; \"-\": not known.\n"
	"\n"
	"Options:\n"
	"  --json          one JSON document (with --watch: one per line)\n"
	"  --interval SEC  time between the two snapshots (default 1; 0: no shares)\n"
	"  --watch SEC     refresh every SEC seconds until interrupted; each refresh\n"
	"                  shows the shares since the previous one\n"
	"  --count N       with --watch: stop after N refreshes\n";

#define TREE "/sys/kernel/debug/block/%s/sched/tree"
#define STATS "/sys/kernel/debug/block/%s/sched/stats"

struct devsnap {
	struct xc_dev dev;
	bool have_tree;
	int tree_err;		/* errno reading the tree */
	struct xc_tree tree;
	bool dom0_stat_missing;
};

struct snap {
	int nr;
	struct devsnap *d;
	double t;
};

struct opts {
	bool json;
	double interval, watch;
	long count;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* rqs= of the MAJ:MIN line of an io.xot.stat text */
static bool stat_rqs(const char *text, const char *majmin, long long *rqs)
{
	size_t n = strlen(majmin);
	const char *l = text;

	while (l && *l) {
		if (!strncmp(l, majmin, n) && l[n] == ' ') {
			const char *p = strstr(l, " rqs=");
			const char *e = strchr(l, '\n');

			if (p && (!e || p < e)) {
				*rqs = strtoll(p + 5, NULL, 10);
				return true;
			}
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return false;
}

static void take(struct snap *s, const struct xc_dev *devs, int nr)
{
	int i, j;

	s->nr = nr;
	s->d = calloc((size_t)(nr ? nr : 1), sizeof(*s->d));
	s->t = now();
	if (!s->d) {
		s->nr = 0;
		return;
	}
	for (i = 0; i < nr; i++) {
		struct devsnap *d = &s->d[i];
		char path[4096], *text = NULL;
		int r;

		d->dev = devs[i];
		if (!xc_path(path, sizeof(path), TREE, devs[i].name))
			continue;
		r = xc_read_file(path, &text);
		if (r) {
			d->tree_err = -r;
			continue;
		}
		if (xc_tree_parse(text, &d->tree)) {
			free(text);
			d->tree_err = ENOMEM;
			continue;
		}
		free(text);
		d->have_tree = true;
		/* dom0 groups: their own requests from io.xot.stat */
		for (j = 0; j < d->tree.nr; j++) {
			struct xc_ent *e = &d->tree.e[j];
			char *st = NULL;

			if (e->kind != XC_GROUP)
				continue;
			if (!xc_cg_read(e->path, "stat", &st, true) &&
			    stat_rqs(st, devs[i].majmin, &e->rqs))
				e->has_rqs = true;
			else
				d->dom0_stat_missing = true;
			free(st);
		}
	}
}

static void drop(struct snap *s)
{
	int i;

	for (i = 0; i < s->nr; i++)
		xc_tree_free(&s->d[i].tree);
	free(s->d);
	memset(s, 0, sizeof(*s));
}

static const struct devsnap *find_dev(const struct snap *s, const char *name)
{
	int i;

	for (i = 0; s && i < s->nr; i++)
		if (!strcmp(s->d[i].dev.name, name))
			return &s->d[i];
	return NULL;
}

/* ------------------------------------------------------------ the facts */

struct tunable {
	char name[64];
	char value[64];
};

static int tunables(const char *dev, struct tunable *t, int max)
{
	char path[4096], *v;
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (!xc_path(path, sizeof(path), "/sys/block/%s/queue/nr_requests", dev))
		return 0;
	if (!xc_read_file(path, &v)) {
		snprintf(t[n].name, sizeof(t[n].name), "nr_requests");
		snprintf(t[n].value, sizeof(t[n].value), "%s", xc_chomp(v));
		n++;
		free(v);
	}
	if (!xc_path(path, sizeof(path), "/sys/block/%s/queue/iosched", dev))
		return n;
	d = opendir(path);
	if (!d)
		return n;
	while ((de = readdir(d)) && n < max) {
		char f[4400];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(t[n].name))
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
		if (xc_read_file(f, &v))
			continue;
		snprintf(t[n].name, sizeof(t[n].name), "%s", de->d_name);
		snprintf(t[n].value, sizeof(t[n].value), "%s", xc_chomp(v));
		free(v);
		n++;
	}
	closedir(d);
	/* sorted, nr_requests first */
	for (int i = 2; i < n; i++)
		for (int j = i; j > 1 && strcmp(t[j - 1].name, t[j].name) > 0; j--) {
			struct tunable tmp = t[j];

			t[j] = t[j - 1];
			t[j - 1] = tmp;
		}
	return n;
}

/* "key value" lines of the debugfs stats file */
static char *dev_stats(const char *dev)
{
	char path[4096], *v = NULL;

	if (!xc_path(path, sizeof(path), STATS, dev) || xc_read_file(path, &v))
		return NULL;
	return v;
}

struct blkback {
	bool dom0, loaded, tagger;
	char *weights;		/* running vm_weights, chomped */
	int vbds_err;
	struct xc_vbds vbds;
};

static void blkback_read(struct blkback *b)
{
	char path[4096], *text = NULL;
	int r;

	memset(b, 0, sizeof(*b));
	b->dom0 = xc_is_dom0();
	b->loaded = xc_module_loaded("xot_blkback");
	b->tagger = xc_module_loaded("xot_tagger");
	if (!b->loaded)
		return;
	if (xc_path(path, sizeof(path), "/sys/module/xot_blkback/parameters/vm_weights") &&
	    !xc_read_file(path, &b->weights))
		xc_chomp(b->weights);
	if (!xc_path(path, sizeof(path), "/sys/kernel/debug/xot-blkback/vbds"))
		return;
	r = xc_read_file(path, &text);
	if (r) {
		b->vbds_err = -r;
		return;
	}
	xc_vbds_parse(text, &b->vbds);
	free(text);
}

static const char *vm_name(const struct blkback *b, unsigned long long domid)
{
	int i;

	for (i = 0; i < b->vbds.nr; i++)
		if (b->vbds.v[i].domid == domid && strcmp(b->vbds.v[i].vm, "-"))
			return b->vbds.v[i].vm;
	return NULL;
}

/* --------------------------------------------------------------- shares */

struct devshares {
	const struct devsnap *b;
	struct xc_share *s;
	long long total;
	bool complete;
	double secs;
	int *tp;		/* parent of each entity, dom0 cgroups included */
	int *kids, *kstart;	/* children of i: kids[kstart[i] .. kstart[i + 1]) */
};

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

static void devshares_free(struct devshares *ds)
{
	free(ds->s);
	free(ds->tp);
	free(ds->kids);
	free(ds->kstart);
}

static void shares_of(const struct snap *a, const struct devsnap *b, double secs,
		      struct devshares *ds)
{
	const struct devsnap *da = find_dev(a, b->dev.name);

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

static void ent_label(const struct xc_ent *e, const struct blkback *bb, char *buf, size_t len)
{
	const char *n;

	switch (e->kind) {
	case XC_GROUP:
		snprintf(buf, len, "dom0 cgroup %s", e->path);
		break;
	case XC_VM:
		n = vm_name(bb, e->id);
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

static int tparent_of(const struct devshares *ds, int i)
{
	return ds->tp ? ds->tp[i] : -1;
}

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

	ent_label(e, bb, label, sizeof(label));
	if (s && (s->known || s->subtree))
		snprintf(rqs, sizeof(rqs), "%lld", s->subtree);
	if (s && s->known)
		snprintf(own, sizeof(own), "%lld", s->delta);
	if (s && (s->known || s->subtree) && ds->secs > 0)
		snprintf(rate, sizeof(rate), "%.0f", (double)s->subtree / ds->secs);
	if (e->kind == XC_SHARED || e->kind == XC_PROC) {
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
		if (b->tree.e[i].kind == XC_GROUP && tparent_of(ds, i) < 0)
			table_ent(ds, bb, i, 0);
	if (ds->s && !ds->complete)
		printf("  note: some dom0 cgroups' io.xot.stat could not be read: their own "
		       "requests are not counted\n");
	if (b->tree.bad_lines)
		printf("  note: %d tree line%s not understood (newer module?)\n",
		       b->tree.bad_lines, b->tree.bad_lines > 1 ? "s" : "");
}

static void table(const struct snap *a, const struct snap *b, const struct blkback *bb)
{
	struct tunable t[32];
	int i, j, n;

	printf("DEVICES ON XOT\n");
	if (!b->nr)
		printf("  none (echo xot > /sys/block/DEV/queue/scheduler)\n");
	for (i = 0; i < b->nr; i++) {
		char *st = dev_stats(b->d[i].dev.name);

		printf("  %-10s %-8s", b->d[i].dev.name, b->d[i].dev.majmin);
		n = tunables(b->d[i].dev.name, t, 32);
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

				snprintf(ver, sizeof(ver), "%u", XOT_WIRE_VERSION);
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
		char path[4096];
		struct dirent *de;
		DIR *d;

		printf("\nXOT-TAGGER (guest): loaded\n");
		if (xc_path(path, sizeof(path), "/sys/kernel/debug/xot-tagger") &&
		    (d = opendir(path))) {
			while ((de = readdir(d))) {
				char f[4400], *v = NULL;

				if (de->d_name[0] == '.')
					continue;
				snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
				if (xc_read_file(f, &v))
					continue;
				printf("  %s:\n", de->d_name);
				for (char *l = strtok(v, "\n"); l; l = strtok(NULL, "\n"))
					printf("    %s\n", l);
				free(v);
			}
			closedir(d);
		} else {
			printf("  /sys/kernel/debug/xot-tagger: not readable\n");
		}
	}

	for (i = 0; i < b->nr; i++) {
		struct devshares ds;

		shares_of(a, &b->d[i], b->t - (a ? a->t : b->t), &ds);
		table_shares(&ds, bb);
		devshares_free(&ds);
	}
}

/* ----------------------------------------------------------------- JSON */

static void json_shares(struct jw *w, const struct devshares *ds, const struct blkback *bb)
{
	const struct xc_tree *t = &ds->b->tree;
	char key[512], label[200];
	int i;

	jw_bool(w, "tree", ds->b->have_tree);
	if (!ds->b->have_tree) {
		jw_str(w, "tree_error", strerror(ds->b->tree_err));
		return;
	}
	jw_num(w, "interval_s", ds->s ? ds->secs : 0);
	if (ds->s)
		jw_int(w, "total_rqs", ds->total);
	else
		jw_null(w, "total_rqs");
	jw_bool(w, "counts_complete", ds->s && ds->complete);
	jw_int(w, "tree_bad_lines", t->bad_lines);
	jw_arr(w, "entities");
	for (i = 0; i < t->nr; i++) {
		const struct xc_ent *e = &t->e[i];
		const struct xc_share *s = ds->s ? &ds->s[i] : NULL;
		int p = tparent_of(ds, i);

		jw_obj(w, NULL);
		xc_ent_key(t, i, key, sizeof(key));
		jw_str(w, "key", key);
		jw_str(w, "kind", xc_kind_name(e->kind));
		ent_label(e, bb, label, sizeof(label));
		jw_str(w, "label", label);
		if (e->kind == XC_GROUP)
			jw_str(w, "path", e->path);
		else
			jw_int(w, "id", (long long)e->id);
		if (e->kind == XC_VM)
			jw_str(w, "vm", vm_name(bb, e->id));
		if (p >= 0) {
			xc_ent_key(t, p, key, sizeof(key));
			jw_str(w, "parent", key);
		} else {
			jw_null(w, "parent");
		}
		jw_int(w, "weight", e->weight);
		jw_int(w, "queued", e->queued);
		jw_bool(w, "active", e->active);
		if (s && s->known) {
			jw_int(w, "rqs", s->delta);
			jw_int(w, "rqs_subtree", s->subtree);
			jw_num(w, "rqs_per_s", ds->secs > 0 ? (double)s->subtree / ds->secs : NAN);
		} else {
			jw_null(w, "rqs");
			jw_null(w, "rqs_subtree");
			jw_null(w, "rqs_per_s");
		}
		if (s && s->has_share) {
			jw_num(w, "share_of_parent", s->of_parent);
			jw_num(w, "share_of_device", s->of_device);
		} else {
			jw_null(w, "share_of_parent");
			jw_null(w, "share_of_device");
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void json(const struct snap *a, const struct snap *b, const struct blkback *bb, bool pretty)
{
	struct tunable t[32];
	struct jw w;
	int i, j, n;

	jw_init(&w, stdout, pretty);
	jw_obj(&w, NULL);
	jw_int(&w, "format", 1);
	jw_int(&w, "time", (long long)time(NULL));
	jw_arr(&w, "devices");
	for (i = 0; i < b->nr; i++) {
		struct devshares ds;
		char *st = dev_stats(b->d[i].dev.name);

		jw_obj(&w, NULL);
		jw_str(&w, "name", b->d[i].dev.name);
		jw_str(&w, "dev", b->d[i].dev.majmin);
		jw_obj(&w, "tunables");
		n = tunables(b->d[i].dev.name, t, 32);
		for (j = 0; j < n; j++) {
			unsigned long long v;

			if (xc_parse_ull(t[j].value, &v))
				jw_int(&w, t[j].name, (long long)v);
			else
				jw_str(&w, t[j].name, t[j].value);
		}
		jw_obj_end(&w);
		if (st) {
			char *save = NULL, *l;

			jw_obj(&w, "stats");
			for (l = strtok_r(st, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
				char *sp = strchr(l, ' ');
				long long v;

				if (!sp)
					continue;
				*sp = '\0';
				v = strtoll(sp + 1, NULL, 10);
				jw_int(&w, l, v);
			}
			jw_obj_end(&w);
			free(st);
		} else {
			jw_null(&w, "stats");
		}
		shares_of(a, &b->d[i], b->t - (a ? a->t : b->t), &ds);
		json_shares(&w, &ds, bb);
		devshares_free(&ds);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_obj(&w, "blkback");
	jw_bool(&w, "dom0", bb->dom0);
	jw_bool(&w, "loaded", bb->loaded);
	jw_str(&w, "vm_weights", bb->loaded ? (bb->weights ? bb->weights : "") : NULL);
	if (bb->vbds_err)
		jw_str(&w, "vbds_error", strerror(bb->vbds_err));
	jw_arr(&w, "vbds");
	for (i = 0; i < bb->vbds.nr; i++) {
		const struct xc_vbd *v = &bb->vbds.v[i];

		jw_obj(&w, NULL);
		jw_int(&w, "domid", v->domid);
		jw_str(&w, "vm", strcmp(v->vm, "-") ? v->vm : NULL);
		jw_int(&w, "devid", v->devid);
		jw_int(&w, "vm_weight", v->vm_weight);
		jw_str(&w, "channel", v->up ? "up" : "down");
		if (v->up)
			jw_int(&w, "version", XOT_WIRE_VERSION);
		else
			jw_null(&w, "version");
		jw_int(&w, "rings", v->rings);
		jw_int(&w, "order", v->order);
		jw_int(&w, "ups", (long long)v->ups);
		jw_int(&w, "errors", (long long)v->errors);
		jw_int(&w, "matched", (long long)v->matched);
		jw_int(&w, "continued", (long long)v->continued);
		jw_int(&w, "unmatched", (long long)v->unmatched);
		jw_int(&w, "rejected", (long long)v->rejected);
		jw_int(&w, "dropped", (long long)v->dropped);
		jw_int(&w, "bios", (long long)v->bios);
		jw_obj(&w, "rejected_by_reason");
		for (j = 0; j < v->nr_reasons; j++)
			jw_int(&w, v->reason[j].name, (long long)v->reason[j].n);
		jw_obj_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);

	jw_obj(&w, "tagger");
	jw_bool(&w, "loaded", bb->tagger);
	jw_obj(&w, "debugfs");
	if (bb->tagger) {
		char path[4096];
		struct dirent *de;
		DIR *d;

		if (xc_path(path, sizeof(path), "/sys/kernel/debug/xot-tagger") &&
		    (d = opendir(path))) {
			while ((de = readdir(d))) {
				char f[4400], *v = NULL;

				if (de->d_name[0] == '.')
					continue;
				snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
				if (xc_read_file(f, &v))
					continue;
				jw_str(&w, de->d_name, v);
				free(v);
			}
			closedir(d);
		}
	}
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

/* ----------------------------------------------------------------- main */

static bool parse_secs(const char *s, double *v, bool zero_ok)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !errno && end != s && !*end && isfinite(*v) && *v <= 86400 &&
	       (zero_ok ? *v >= 0 : *v > 0);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	o->json = false;
	o->interval = 1;
	o->watch = 0;
	o->count = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			o->json = true;
			continue;
		}
		if (strcmp(a, "--interval") && strcmp(a, "--watch") && strcmp(a, "--count")) {
			xc_err("status: unknown %s '%s' (try xotctl status --help)",
			       a[0] == '-' ? "option" : "argument", a);
			return XC_EXIT_USAGE;
		}
		if (!v) {
			xc_err("status: %s needs a value", a);
			return XC_EXIT_USAGE;
		}
		i++;
		if (!strcmp(a, "--interval") && !parse_secs(v, &o->interval, true)) {
			xc_err("status: bad --interval '%s' (seconds, 0..86400)", v);
			return XC_EXIT_USAGE;
		}
		if (!strcmp(a, "--watch") && !parse_secs(v, &o->watch, false)) {
			xc_err("status: bad --watch '%s' (seconds, more than 0)", v);
			return XC_EXIT_USAGE;
		}
		if (!strcmp(a, "--count")) {
			unsigned long long n;

			if (!xc_parse_ull(v, &n) || !n || n > 1000000000ULL) {
				xc_err("status: bad --count '%s' (a positive integer)", v);
				return XC_EXIT_USAGE;
			}
			o->count = (long)n;
		}
	}
	if (o->count && !o->watch) {
		xc_err("status: --count needs --watch");
		return XC_EXIT_USAGE;
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct snap a = { 0 }, b = { 0 };
	struct xc_dev *devs = NULL;
	struct blkback bb;
	struct opts o;
	bool have_a = false;
	long round;
	int nr, r;

	if (xc_want_help(argc, argv, status_help))
		return XC_EXIT_OK;
	r = parse_opts(argc, argv, &o);
	if (r)
		return r;
	for (round = 0; !o.count || round < o.count; round++) {
		nr = xc_xot_devices(&devs);
		if (nr < 0) {
			nr = 0;
			if (!round)
				xc_warn("cannot list /sys/block");
		}
		if (!round && o.interval > 0) {
			take(&a, devs, nr);
			have_a = true;
			sleep_s(o.interval);
		}
		take(&b, devs, nr);
		free(devs);
		devs = NULL;
		blkback_read(&bb);
		if (o.watch && !o.json && isatty(1))
			fputs("\033[H\033[J", stdout);
		if (o.json)
			json(have_a ? &a : NULL, &b, &bb, !o.watch);
		else
			table(have_a ? &a : NULL, &b, &bb);
		fflush(stdout);
		free(bb.weights);
		xc_vbds_free(&bb.vbds);
		drop(&a);
		a = b;
		memset(&b, 0, sizeof(b));
		have_a = true;
		if (!o.watch)
			break;
		if (!o.json)
			printf("\n");
		if (!o.count || round + 1 < o.count)
			sleep_s(o.watch);
	}
	drop(&a);
	return XC_EXIT_OK;
}
