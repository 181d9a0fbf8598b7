/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xotctl status, internal: what one refresh reads and how it is shown.
 *
 *   status.c        options, the refresh loop
 *   status_snap.c   snapshots of the trees (and dom0 cgroups' io.xot.stat)
 *   status_facts.c  tunables, elevator counters, xot-blkback, xot-tagger
 *   status_view.c   shares of one device, parents and children lists
 *   status_table.c  the tables
 *   status_json.c   the JSON document
 */
#ifndef XOTCTL_STATUS_H
#define XOTCTL_STATUS_H

#include "xotctl.h"

struct devsnap {
	struct xc_dev dev;
	bool have_tree;
	int tree_err;		/* errno reading the tree */
	struct xc_tree tree;
};

struct snap {
	int nr;
	struct devsnap *d;
	double t;
};

struct tunable {
	char name[64];
	char value[64];
};

/* the modules' side: xot-blkback on dom0, xot-tagger in a guest */
struct blkback {
	bool dom0, loaded, tagger;
	char *weights;		/* running vm_weights, chomped */
	int vbds_err;
	struct xc_vbds vbds;
	bool tagger_readable;	/* /sys/kernel/debug/xot-tagger could be listed */
	int nr_tagger;
	struct tagger_file { char name[256]; char *text; } *tagger_files;
};

struct devshares {
	const struct devsnap *b;
	struct xc_share *s;
	long long total;
	bool complete;
	double secs;
	int *tp;		/* parent of each entity, dom0 cgroups included */
	int *kids, *kstart;	/* children of i: kids[kstart[i] .. kstart[i + 1]) */
};

/* status_snap.c */
void status_take(struct snap *s, const struct xc_dev *devs, int nr);
void status_drop(struct snap *s);
const struct devsnap *status_find_dev(const struct snap *s, const char *name);

/* status_facts.c */
int status_tunables(const char *dev, struct tunable *t, int max);
char *status_dev_stats(const char *dev);
void status_blkback_read(struct blkback *b);
void status_blkback_free(struct blkback *b);
const char *status_vm_name(const struct blkback *b, unsigned long long domid);

/* status_view.c */
void status_shares_of(const struct snap *a, const struct devsnap *b, double secs,
		      struct devshares *ds);
void status_devshares_free(struct devshares *ds);
void status_ent_label(const struct xc_ent *e, const struct blkback *bb, char *buf, size_t len);
int status_tparent(const struct devshares *ds, int i);

/* status_table.c, status_json.c */
void status_table(const struct snap *a, const struct snap *b, const struct blkback *bb);
void status_json(const struct snap *a, const struct snap *b, const struct blkback *bb,
		 bool pretty);

#endif /* XOTCTL_STATUS_H */
