/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-tagger internals: shared by tagger.c (tracepoint probes, records,
 * debugfs), vbd.c (xenstore negotiation, XoT rings, grants) and tgid.c
 * (the issuing process of each bio).
 */
#ifndef _XOT_TAGGER_H
#define _XOT_TAGGER_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>

#include <xot/channel.h>

/*
 * The same sources also build xot-hostile, a test-only guest that lies to
 * dom0 (tests/hostile-guest/, compiled with XOT_HOSTILE): only the name and
 * the hooks below differ.
 */
#ifdef XOT_HOSTILE
#define XOT_TAGGER		"xot-hostile"
#else
#define XOT_TAGGER		"xot-tagger"
#endif
/* include/uapi/linux/major.h has no name for it; xen-blkfront uses 202 */
#define XOT_XENVBD_MAJOR	202
#define XOT_CHAN_MAX_PAGES	(1U << XOT_CHAN_MAX_ORDER)

#ifdef XOT_HOSTILE
#define XOT_HOSTILE_HIST	64	/* records remembered per ring (replay) */
#define XOT_HOSTILE_HOLD	48	/* records held back per ring (reorder) */

/* Per-ring state of xot-hostile's mutations (tests/hostile-guest/hostile.c). */
struct xot_hostile_ring {
	struct xot_record hist[XOT_HOSTILE_HIST];	/* by seq % XOT_HOSTILE_HIST */
	struct xot_record held[XOT_HOSTILE_HOLD];
	u32 nr_held;
};
#endif

/* One XoT record ring: the records of one blkif ring. */
struct xot_tring {
	spinlock_t lock;		/* serialises this ring's publishers */
	void *base;			/* 2^order contiguous pages */
	struct page *pages;		/* first page (split: each page alone) */
	u32 nr_slots;
	u32 index;			/* blkif ring (hctx) index */
	u64 seq;			/* next record number */
	const struct request *last_rq;	/* owner of record seq - 1 */
	u64 published;			/* records published, net of retracted */
	u64 retracted;			/* withdrawn: request went back to blk-mq */
	u32 nr_refs;			/* pages granted so far */
	grant_ref_t refs[XOT_CHAN_MAX_PAGES];
#ifdef XOT_HOSTILE
	struct xot_hostile_ring hostile;	/* under lock */
#endif
};

/* The XoT channel of one vbd: set up once blkfront and dom0 are ready. */
struct xot_chan {
	u32 order;
	u32 nr_rings;
	u32 backend_id;
	int gen;			/* vbd->gen when it was set up */
	struct xot_tring ring[];
};

/* One Xen virtual block device of this guest: device/vbd/<devid>. */
struct xot_vbd {
	struct list_head node;		/* xot_vbds, RCU for the probes */
	u32 devid;
	char nodename[32];		/* "device/vbd/<devid>" */
	/* the xenbus device (reference held); parent of the gendisk */
	struct device *dev;
	struct xot_chan __rcu *chan;
	/* bumped whenever the frontend is seen leaving Connected */
	atomic_t gen;

	/* reconcile state, under xot_vbd_mutex */
	bool seen;
	char *backend;			/* backend path */
	u32 backend_id;
	u32 fe_state;
	u32 feature;			/* backend's feature-xot */
	struct xenbus_watch fwatch;	/* <backend>/feature-xot */
	bool fwatch_on;
	u32 setups;
	u32 withdrawals;
	int last_err;

	/* statistics */
	atomic64_t requests;		/* requests issued on the disk */
	atomic64_t dropped;		/* ... with no XoT ring to record them */
	atomic64_t unsupported;		/* ... with an op XoT has no code for */
	atomic64_t requeued;		/* requests given back to blk-mq */
	atomic64_t stray;		/* ... whose record could not be retracted */
	/* records of channels withdrawn, per ring index */
	u64 old_published[XOT_MAX_RING];
};

extern struct list_head xot_vbds;
extern struct mutex xot_vbd_mutex;

/* vbd.c */
int xot_vbd_init(void);
void xot_vbd_exit(void);
void xot_vbd_show(struct seq_file *m);
void xot_vbd_show_records(struct seq_file *m);

/* tgid.c */
int xot_tgid_init(void);
void xot_tgid_exit(void);
void xot_tgid_remember(const struct bio *bio, u32 tgid);
void xot_tgid_forget(const struct bio *bio);
u32 xot_tgid_lookup(const struct bio *bio);
void xot_tgid_show(struct seq_file *m);

#ifdef XOT_HOSTILE
/* tests/hostile-guest/hostile.c: every record goes through the test's mutations */
int xot_hostile_init(void);
void xot_hostile_exit(void);
void xot_hostile_publish(struct xot_tring *ring, struct xot_record *r);
void xot_hostile_show(struct seq_file *m);
/* vbd.c, XOT_HOSTILE only: what the hostile modes do to whole channels */
enum xot_hostile_chan_op {
	XOT_HOSTILE_RINGS,		/* only @fn on every ring */
	XOT_HOSTILE_END_GRANTS,		/* end the grants, keys left for dom0 */
	XOT_HOSTILE_REMOVE_KEYS,	/* remove the keys, keep publishing */
	XOT_HOSTILE_REOFFER,		/* write xot-version again: dom0 remaps */
	XOT_HOSTILE_STATE,		/* rewrite blkfront's state key (same value) */
};

unsigned int xot_vbd_hostile(enum xot_hostile_chan_op op,
			     void (*fn)(struct xot_tring *ring));
#else
static inline int xot_hostile_init(void) { return 0; }
static inline void xot_hostile_exit(void) { }
static inline void xot_hostile_show(struct seq_file *m) { }
#endif

/* Publish @r (r->seq set) in @ring; the caller holds ring->lock. */
static inline void xot_tagger_publish(struct xot_tring *ring,
				      struct xot_record *r)
{
#ifdef XOT_HOSTILE
	xot_hostile_publish(ring, r);
#else
	xot_chan_publish(ring->base, ring->nr_slots, r);
#endif
}

#endif /* _XOT_TAGGER_H */
