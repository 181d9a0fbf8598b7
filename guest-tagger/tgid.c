// SPDX-License-Identifier: GPL-2.0
/*
 * The issuing process of each bio on a Xen virtual disk.
 *
 * A record needs the process that issued the request, but at
 * block_rq_issue current is often a kworker (blk-mq dispatches from
 * kblockd, the elevator, a requeue): the process is only known where the
 * bio is submitted, at block_bio_queue (and block_split for the pieces
 * blk-mq splits off), which run in the submitter's context.
 *
 * No field of struct bio or struct request is ours to use: bi_private
 * belongs to the submitter, bi_iocost_cost / bi_issue to blk-cgroup
 * policies that may be active on the disk, the request's elv.priv to the
 * elevator and its pdu to blkfront. So the tgid lives here, in a table
 * keyed by the bio's address:
 *
 * - only sync bios of user tasks are remembered (async writeback and
 *   kernel threads get tgid 0 without an entry), so writeback never takes
 *   a lock here;
 * - an entry lives from submission to the request's completion
 *   (block_rq_complete, for every bio of the request) or the bio's own end
 *   (block_bio_complete: bios failed before they became a request); a
 *   requeued request keeps its entries, so it is issued again with them;
 * - memory is bounded: XOT_TGID_BUCKETS buckets of XOT_TGID_WAYS entries
 *   (what is in flight on the guest's xvd disks is far less); a full bucket
 *   gives up its oldest entry (counted: that bio's request gets tgid 0);
 * - each bucket has its own spinlock, taken only to insert (a few
 *   instructions). Lookups and removals take no lock: only the bio's owner
 *   inserts its key, so a reader that does not see the key cannot miss an
 *   insert of it; an insert writes the slot's bio as NULL, then its tgid,
 *   then the new bio, so a reader that finds its bio in a slot both before
 *   and after reading the tgid read that bio's tgid (an eviction in
 *   between shows as a changed bio). A removal clears the slot with a
 *   cmpxchg, which cannot clear an entry of another bio.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/bio.h>
#include <linux/percpu.h>

#include "tagger.h"

#define XOT_TGID_BITS		10
#define XOT_TGID_BUCKETS	(1U << XOT_TGID_BITS)
#define XOT_TGID_WAYS		4

struct tgid_entry {
	const struct bio *bio;
	u32 tgid;
	u32 stamp;			/* insertion order in the bucket */
};

struct tgid_bucket {
	spinlock_t lock;		/* the entries, clock */
	u32 clock;
	struct tgid_entry e[XOT_TGID_WAYS];
};

static struct tgid_bucket *tgid_table;
static atomic64_t tgid_evicted;		/* entries pushed out by a full bucket */
static DEFINE_PER_CPU(u64, tgid_remembered);

static struct tgid_bucket *bucket_of(const struct bio *bio)
{
	return &tgid_table[hash_ptr((void *)bio, XOT_TGID_BITS)];
}

/* The entry to (re)use for @bio: its own, else a free one, else the oldest. */
static struct tgid_entry *bucket_slot(struct tgid_bucket *b, const struct bio *bio)
{
	struct tgid_entry *free = NULL, *oldest = &b->e[0];
	int i;

	for (i = 0; i < XOT_TGID_WAYS; i++) {
		struct tgid_entry *e = &b->e[i];
		/* a lockless removal may clear it under us (cmpxchg) */
		const struct bio *cur = READ_ONCE(e->bio);

		if (cur == bio)
			return e;
		if (!cur && !free)
			free = e;
		if ((s32)(e->stamp - oldest->stamp) < 0)
			oldest = e;
	}
	return free ? free : oldest;
}

void xot_tgid_remember(const struct bio *bio, u32 tgid)
{
	struct tgid_bucket *b = bucket_of(bio);
	const struct bio *old;
	struct tgid_entry *e;
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	e = bucket_slot(b, bio);
	old = READ_ONCE(e->bio);
	if (old && old != bio)
		atomic64_inc(&tgid_evicted);
	/* see the header: lockless readers must never pair a bio with another's tgid */
	WRITE_ONCE(e->bio, NULL);
	smp_wmb();	/* the old bio is gone before its tgid changes */
	WRITE_ONCE(e->tgid, tgid);
	smp_wmb();	/* the new tgid is there before its bio */
	WRITE_ONCE(e->bio, bio);
	e->stamp = b->clock++;
	spin_unlock_irqrestore(&b->lock, flags);
	this_cpu_inc(tgid_remembered);
}

void xot_tgid_forget(const struct bio *bio)
{
	struct tgid_bucket *b = bucket_of(bio);
	int i;

	for (i = 0; i < XOT_TGID_WAYS; i++)
		if (READ_ONCE(b->e[i].bio) == bio)
			cmpxchg(&b->e[i].bio, bio, NULL);
}

u32 xot_tgid_lookup(const struct bio *bio)
{
	struct tgid_bucket *b = bucket_of(bio);
	int i;

	for (i = 0; i < XOT_TGID_WAYS; i++) {
		struct tgid_entry *e = &b->e[i];
		u32 tgid;

		if (READ_ONCE(e->bio) != bio)
			continue;
		smp_rmb();	/* pairs with the second smp_wmb() of remember */
		tgid = READ_ONCE(e->tgid);
		smp_rmb();	/* pairs with the first: an evicted bio shows */
		if (READ_ONCE(e->bio) == bio)
			return tgid;
	}
	return 0;
}

void xot_tgid_show(struct seq_file *m)
{
	unsigned int i, j, used = 0;
	u64 remembered = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		remembered += READ_ONCE(*per_cpu_ptr(&tgid_remembered, cpu));
	for (i = 0; i < XOT_TGID_BUCKETS; i++)
		for (j = 0; j < XOT_TGID_WAYS; j++)
			if (READ_ONCE(tgid_table[i].e[j].bio))
				used++;
	seq_printf(m, "tgid_entries %u\ntgid_capacity %u\ntgid_remembered %llu\ntgid_evicted %lld\n",
		   used, XOT_TGID_BUCKETS * XOT_TGID_WAYS,
		   remembered, atomic64_read(&tgid_evicted));
}

int xot_tgid_init(void)
{
	unsigned int i;

	tgid_table = kvcalloc(XOT_TGID_BUCKETS, sizeof(*tgid_table), GFP_KERNEL);
	if (!tgid_table)
		return -ENOMEM;
	for (i = 0; i < XOT_TGID_BUCKETS; i++)
		spin_lock_init(&tgid_table[i].lock);
	return 0;
}

/* Only once no probe can run any more. */
void xot_tgid_exit(void)
{
	kvfree(tgid_table);
	tgid_table = NULL;
}
