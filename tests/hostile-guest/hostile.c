// SPDX-License-Identifier: GPL-2.0
/*
 * xot-hostile: a TEST-ONLY guest module that attacks dom0 through the XoT
 * channel. NEVER load it on a production guest: it lies about who issues
 * I/O, publishes garbage, rewrites shared memory behind dom0's back and
 * tears its channel down under dom0's feet, on purpose.
 *
 * It is xot-tagger (the sources in guest-tagger/, compiled a second time with
 * XOT_HOSTILE: see tests/hostile-guest/Kbuild) with one difference: every
 * record goes through xot_hostile_publish() instead of xot_chan_publish(),
 * and a work item does to whole channels what the protocol forbids. The
 * guest's I/O itself is untouched (blkfront and its data are stock): only
 * what dom0 learns about it is a lie. tests/xen/hostile/ drives it and
 * checks that dom0 survives: docs/hardening.md, "Hostile guests".
 *
 * mode= (module parameter; writable at run time, churn_groups= first):
 *   none         honest, as xot-tagger
 *   random       one field of each record out of bounds (each of dom0's
 *                rejection reasons in turn), or the whole body random
 *   maxweight    weight 10000 and real-time ioprio level 0 for everything
 *   churn        a new guest cgroup id and a new tgid for every request
 *                (churn_groups=N: N cgroup ids in turn, new tgids)
 *   replay       every other record is an old one (identity and sector of
 *                a request up to 64 records back) under the current number;
 *                old records are also written again into their old slots
 *   reorder      records held back and published later in shuffled order,
 *                by 1-3 positions (within dom0's window) or 40 (beyond it)
 *   doublefetch  after publishing, the record's identity and sector are
 *                rewritten in place, with its number still valid
 *   indices      the header's prod set to garbage after every record; every
 *                period_ms the header's prod, magic, version, order or ring
 *                corrupted and the channel offered again (dom0 maps it
 *                anew and must refuse or survive it)
 *   stop         no more records after stop_after requests
 *   teardown     every period_ms, in turn: end the grants while dom0 maps
 *                the pages and the keys still name them (a new channel is
 *                then set up), or remove the keys and go on publishing
 *   versionflood a kthread rewrites xot-version in a tight loop (as fast
 *                as xenstore answers, thousands a second): dom0 must not
 *                queue xenwatch work per write nor stall other backends
 *   statecycle   a kthread in turn rewrites blkfront's state key (same
 *                value: blkback's watch fires, the disk stays up), removes
 *                the XoT keys and writes xot-version again
 *
 * The current mode is announced in xenstore (data/xot-hostile, the guest's
 * own writable directory; "churn-N" for churn with churn_groups=N) for the
 * test's dom0 side, and in
 * /sys/kernel/debug/xot-hostile/stats.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/workqueue.h>
#include <linux/ioprio.h>
#include <linux/seq_file.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include <xot/sched.h>
#include "tagger.h"

enum hostile_mode {
	H_NONE, H_RANDOM, H_MAXWEIGHT, H_CHURN, H_REPLAY, H_REORDER,
	H_DOUBLEFETCH, H_INDICES, H_STOP, H_TEARDOWN, H_VERSIONFLOOD,
	H_STATECYCLE, H_NR_MODES
};

static const char *const mode_names[H_NR_MODES] = {
	"none", "random", "maxweight", "churn", "replay", "reorder",
	"doublefetch", "indices", "stop", "teardown", "versionflood",
	"statecycle",
};

static unsigned int stop_after = 200;
module_param(stop_after, uint, 0644);
MODULE_PARM_DESC(stop_after, "stop: records published before going silent");
static unsigned int churn_groups;
module_param(churn_groups, uint, 0644);
MODULE_PARM_DESC(churn_groups, "churn: cgroup ids used in turn (0: a new one per request); set before mode");
static unsigned int period_ms = 2000;
module_param(period_ms, uint, 0444);
MODULE_PARM_DESC(period_ms, "indices, teardown: milliseconds between channel attacks");

static enum hostile_mode hmode;
static bool started;			/* module_init done: mode changes announced */
static u64 mode_base;			/* n_records when the mode began */
static atomic64_t n_records;		/* records the tagger asked to publish */
static atomic64_t n_mutated;		/* ... published changed */
static atomic64_t n_withheld;		/* ... not published (stop, reorder) */
static atomic64_t n_rewrites;		/* in-place rewrites after publishing */
static atomic64_t n_chan_ops[XOT_HOSTILE_STATE + 1];
static struct task_struct *flood_task;	/* versionflood, statecycle */
static atomic_t step;			/* indices, teardown: next attack */
static bool prod_honest;		/* indices: leave prod alone for now */
static bool heal;			/* left indices or teardown: a fresh channel */
static struct delayed_work chan_work;
static bool announced;
static DEFINE_MUTEX(mode_mutex);	/* mode changes */
static struct work_struct announce_work;

/* Write @w (its seq, a record number of this ring) as xot_chan_publish() does. */
static void publish_wire(struct xot_tring *ring, const struct xot_record_wire *w,
			 u64 seq)
{
	struct xot_record_wire *slot = (struct xot_record_wire *)ring->base + 1 +
				       (u32)(seq % ring->nr_slots);

	WRITE_ONCE(slot->seq, cpu_to_le64(~0ULL));
	xot_wmb();
	memcpy((u8 *)slot + sizeof(w->seq), (u8 *)w + sizeof(w->seq),
	       sizeof(*w) - sizeof(w->seq));
	xot_wmb();
	WRITE_ONCE(slot->seq, w->seq);
	WRITE_ONCE(((struct xot_ring_header *)ring->base)->prod,
		   cpu_to_le64(seq + 1));
}

/* Rewrite the body of record @seq in place, its number left valid. */
static void rewrite_body(struct xot_tring *ring, const struct xot_record *r)
{
	struct xot_record_wire *slot = (struct xot_record_wire *)ring->base + 1 +
				       (u32)(r->seq % ring->nr_slots);
	struct xot_record_wire w;

	xot_record_encode(&w, r);
	memcpy((u8 *)slot + sizeof(w.seq), (u8 *)&w + sizeof(w.seq),
	       sizeof(w) - sizeof(w.seq));
	atomic64_inc(&n_rewrites);
}

/* One field out of dom0's bounds, each rejection reason in turn. */
static void mutate_random(struct xot_tring *ring, struct xot_record *r)
{
	struct xot_record_wire w;
	u32 rnd = get_random_u32();

	xot_record_encode(&w, r);
	switch (atomic64_read(&n_records) % 10) {
	case 0:
		w.op = XOT_OP_MAX + 1 + rnd % (255 - XOT_OP_MAX);
		break;
	case 1:
		w.flags |= ~XOT_REC_F_ALL & (1U << (5 + rnd % 3));
		break;
	case 2:
		w.nr_sectors = r->op == XOT_OP_FLUSH ? cpu_to_le32(8) :
			       cpu_to_le32(rnd & 1 ? 0 : XOT_MAX_SECTORS + 1 + (rnd >> 1));
		if (r->op > XOT_OP_WRITE && r->op != XOT_OP_FLUSH)
			w.nr_sectors = 0;
		break;
	case 3:
		w.weight = cpu_to_le32(rnd & 1 ? 0 : XOT_WEIGHT_MAX + 1 + (rnd >> 1));
		break;
	case 4:
		w.ioprio = cpu_to_le16(rnd & 1 ? (4 + rnd % 4) << 13 : 8 + rnd % 100);
		break;
	case 5:
		w.cgroup_id = 0;
		break;
	case 6:
		w.tgid = cpu_to_le32(XOT_MAX_TGID + 1 + rnd % 1000000);
		break;
	case 7:
		w.ring = cpu_to_le32(XOT_MAX_RING + rnd % 1000);
		break;
	case 8:
		w.reserved[rnd % sizeof(w.reserved)] = 1 + rnd % 255;
		break;
	default:
		/* all random but the number: rejected for whatever comes first */
		get_random_bytes((u8 *)&w + sizeof(w.seq), sizeof(w) - sizeof(w.seq));
		break;
	}
	publish_wire(ring, &w, r->seq);
	atomic64_inc(&n_mutated);
}

static void publish_replay(struct xot_tring *ring, struct xot_record *r)
{
	struct xot_hostile_ring *h = &ring->hostile;
	u64 back = 2 + get_random_u32() % (XOT_HOSTILE_HIST - 2);
	struct xot_record old;

	h->hist[r->seq % XOT_HOSTILE_HIST] = *r;
	if (r->seq < back || (r->seq & 1)) {
		xot_chan_publish(ring->base, ring->nr_slots, r);
		return;
	}
	/* an old request's record, under this request's number */
	old = h->hist[(r->seq - back) % XOT_HOSTILE_HIST];
	old.seq = r->seq;
	xot_chan_publish(ring->base, ring->nr_slots, &old);
	atomic64_inc(&n_mutated);
	/* and an old record written again where it was (dom0 is past it) */
	old = h->hist[(r->seq - back) % XOT_HOSTILE_HIST];
	if (old.seq + ring->nr_slots > r->seq)
		rewrite_body(ring, &old);
}

/* Depth of holding back: mostly within dom0's window, sometimes beyond it. */
static u32 reorder_depth(void)
{
	u64 n = atomic64_read(&n_records);

	return (n / 256) % 4 == 3 ? 40 : 1 + (n / 64) % 3;
}

static void publish_reorder(struct xot_tring *ring, struct xot_record *r)
{
	struct xot_hostile_ring *h = &ring->hostile;
	u32 depth = reorder_depth(), k;
	u64 seq = r->seq;

	if (h->nr_held < XOT_HOSTILE_HOLD)
		h->held[h->nr_held++] = *r;
	/* publish one held record (any of them) under this number */
	if (h->nr_held <= depth) {
		/* nothing under this number yet: dom0 stops here for now */
		atomic64_inc(&n_withheld);
		return;
	}
	k = get_random_u32() % h->nr_held;
	*r = h->held[k];
	h->held[k] = h->held[--h->nr_held];
	r->seq = seq;
	xot_chan_publish(ring->base, ring->nr_slots, r);
	atomic64_inc(&n_mutated);
}

static void publish_doublefetch(struct xot_tring *ring, struct xot_record *r)
{
	struct xot_record lie = *r;
	int i;

	xot_chan_publish(ring->base, ring->nr_slots, r);
	/* flip between the truth and a lie while dom0 may be copying it */
	lie.sector = r->sector + 8;
	lie.cgroup_id = r->cgroup_id ^ 0x5eed;
	lie.weight = XOT_WEIGHT_MAX;
	lie.tgid = r->tgid ^ 1;
	for (i = 0; i < 4; i++) {
		rewrite_body(ring, &lie);
		rewrite_body(ring, r);
	}
	/* every other record ends as the lie: it names no request */
	if (r->seq & 1) {
		rewrite_body(ring, &lie);
		atomic64_inc(&n_mutated);
	}
}

static void corrupt_prod(struct xot_tring *ring, u64 seq)
{
	static const s64 jumps[] = { 1000, -500, 1LL << 40, -(1LL << 40), 0 };
	struct xot_ring_header *hd = ring->base;
	u64 n = atomic64_read(&n_records), prod;

	if (READ_ONCE(prod_honest))
		return;
	switch (n % 7) {
	case 5:
		prod = ~0ULL;
		break;
	case 6:
		prod = get_random_u64();
		break;
	default:
		prod = seq + jumps[n % ARRAY_SIZE(jumps)];
		break;
	}
	WRITE_ONCE(hd->prod, cpu_to_le64(prod));
	atomic64_inc(&n_mutated);
}

void xot_hostile_publish(struct xot_tring *ring, struct xot_record *r)
{
	atomic64_inc(&n_records);
	switch (READ_ONCE(hmode)) {
	case H_RANDOM:
		mutate_random(ring, r);
		return;
	case H_MAXWEIGHT:
		r->weight = XOT_WEIGHT_MAX;
		r->ioprio = IOPRIO_PRIO_VALUE(IOPRIO_CLASS_RT, 0);
		atomic64_inc(&n_mutated);
		break;
	case H_CHURN: {
		u64 n = atomic64_read(&n_records);

		u32 groups = READ_ONCE(churn_groups);

		r->cgroup_id = groups ? 0x10000 + n % groups : 0x100000 + n;
		r->tgid = 1 + n % (XOT_MAX_TGID - 1);
		atomic64_inc(&n_mutated);
		break;
	}
	case H_REPLAY:
		publish_replay(ring, r);
		return;
	case H_REORDER:
		publish_reorder(ring, r);
		return;
	case H_DOUBLEFETCH:
		publish_doublefetch(ring, r);
		return;
	case H_INDICES:
		xot_chan_publish(ring->base, ring->nr_slots, r);
		corrupt_prod(ring, r->seq);
		return;
	case H_STOP:
		if (atomic64_read(&n_records) > READ_ONCE(mode_base) + stop_after) {
			atomic64_inc(&n_withheld);
			return;
		}
		break;
	default:
		break;
	}
	xot_chan_publish(ring->base, ring->nr_slots, r);
}

/* ---------------------------------------------------- channel attacks */

/* indices: the header, as the step wants it before the channel is offered again */
static void header_step(struct xot_tring *ring)
{
	struct xot_ring_header *hd = ring->base;
	u32 order = 0;

	while (XOT_CHAN_SLOTS(order) < ring->nr_slots)
		order++;
	/* honest first, then one field wrong */
	hd->magic = cpu_to_le32(XOT_RING_MAGIC);
	hd->version = cpu_to_le16(XOT_WIRE_VERSION);
	hd->order = cpu_to_le16(order);
	hd->ring = cpu_to_le32(ring->index);
	hd->prod = cpu_to_le64(ring->seq);
	switch (atomic_read(&step) % 6) {
	case 0:		/* dom0 starts reading far ahead of the guest */
		hd->prod = cpu_to_le64(~0ULL - 3);
		break;
	case 1:
		hd->magic = cpu_to_le32(~XOT_RING_MAGIC);
		break;
	case 2:
		hd->version = cpu_to_le16(XOT_WIRE_VERSION + 1);
		break;
	case 3:
		hd->order = cpu_to_le16(order + 1);
		break;
	case 4:
		hd->ring = cpu_to_le32(ring->index + 1);
		break;
	default:	/* honest: dom0 maps it and matches again */
		break;
	}
}

static void chan_op(enum xot_hostile_chan_op op, void (*fn)(struct xot_tring *ring))
{
	if (xot_vbd_hostile(op, fn))
		atomic64_inc(&n_chan_ops[op]);
}

static void chan_work_fn(struct work_struct *work)
{
	int s = atomic_read(&step);
	enum hostile_mode m = READ_ONCE(hmode);

	/*
	 * The last mode broke the channel (bad header offered, keys
	 * removed): end it, so that the tagger's reconcile sets up an honest
	 * one for the next mode (dom0 meanwhile keeps the old pages mapped).
	 */
	if (xchg(&heal, false))
		chan_op(XOT_HOSTILE_END_GRANTS, NULL);
	if (m == H_INDICES) {
		WRITE_ONCE(prod_honest, s % 6 == 5);
		chan_op(XOT_HOSTILE_REOFFER, header_step);
	} else if (m == H_TEARDOWN) {
		chan_op(s & 1 ? XOT_HOSTILE_REMOVE_KEYS : XOT_HOSTILE_END_GRANTS, NULL);
	}
	atomic_inc(&step);
	schedule_delayed_work(&chan_work, msecs_to_jiffies(period_ms));
}

/*
 * versionflood, statecycle: xenstore writes back to back, from a thread of
 * their own (a work item would hold a shared worker). Each write waits for
 * xenstored's answer, so the loop runs as fast as xenstore lets a guest
 * write; the short sleep only leaves the guest's CPU to its own I/O.
 */
static int flood_fn(void *data)
{
	unsigned int i = 0;

	while (!kthread_should_stop()) {
		enum hostile_mode m = READ_ONCE(hmode);

		if (m == H_VERSIONFLOOD) {
			chan_op(XOT_HOSTILE_REOFFER, NULL);
		} else if (m == H_STATECYCLE) {
			switch (i++ % 3) {
			case 0:
				chan_op(XOT_HOSTILE_STATE, NULL);
				break;
			case 1:
				chan_op(XOT_HOSTILE_REMOVE_KEYS, NULL);
				break;
			default:
				chan_op(XOT_HOSTILE_REOFFER, NULL);
				break;
			}
		} else {
			msleep_interruptible(100);
			continue;
		}
		usleep_range(100, 200);
	}
	return 0;
}

void xot_hostile_show(struct seq_file *m)
{
	seq_printf(m, "hostile_mode %s\nhostile_records %lld\nhostile_mutated %lld\n",
		   mode_names[hmode], atomic64_read(&n_records),
		   atomic64_read(&n_mutated));
	seq_printf(m, "hostile_withheld %lld\nhostile_rewrites %lld\n",
		   atomic64_read(&n_withheld), atomic64_read(&n_rewrites));
	seq_printf(m, "hostile_end_grants %lld\nhostile_remove_keys %lld\nhostile_reoffers %lld\n",
		   atomic64_read(&n_chan_ops[XOT_HOSTILE_END_GRANTS]),
		   atomic64_read(&n_chan_ops[XOT_HOSTILE_REMOVE_KEYS]),
		   atomic64_read(&n_chan_ops[XOT_HOSTILE_REOFFER]));
	seq_printf(m, "hostile_state_writes %lld\n",
		   atomic64_read(&n_chan_ops[XOT_HOSTILE_STATE]));
}

/*
 * data/xot-hostile: the mode, for the test's dom0 side. Not under
 * mode_mutex: a xenstore write may take a minute on a loaded lab, and a
 * mode change must not wait for it (a later work run writes the newer mode).
 */
static void announce(void)
{
	enum hostile_mode m = READ_ONCE(hmode);
	u32 groups = READ_ONCE(churn_groups);

	if (!xen_domain())
		return;
	if (m == H_CHURN && groups)
		announced = !xenbus_printf(XBT_NIL, "data", "xot-hostile", "churn-%u",
					   groups);
	else
		announced = !xenbus_printf(XBT_NIL, "data", "xot-hostile", "%s",
					   mode_names[m]);
}

static void announce_fn(struct work_struct *work)
{
	if (READ_ONCE(started))
		announce();
}

/*
 * mode= at load time, or written to /sys/module/xot_hostile/parameters/mode
 * to change the attack without reloading (reloading costs xenstore
 * transactions that take tens of seconds on a loaded TCG lab).
 */
static int mode_set(const char *val, const struct kernel_param *kp)
{
	enum hostile_mode old;
	int m = sysfs_match_string(mode_names, val);

	if (m < 0)
		return -EINVAL;
	mutex_lock(&mode_mutex);
	old = hmode;
	WRITE_ONCE(mode_base, atomic64_read(&n_records));
	atomic_set(&step, 0);
	WRITE_ONCE(prod_honest, false);
	WRITE_ONCE(hmode, m);
	if (started) {
		if (old != m && (old == H_INDICES || old == H_TEARDOWN ||
				 old == H_STATECYCLE)) {
			WRITE_ONCE(heal, true);
			mod_delayed_work(system_wq, &chan_work, 0);
		}
		pr_warn("%s: now attacking dom0 with XoT mode '%s'\n", XOT_TAGGER,
			mode_names[m]);
		/* xenstore may take seconds on a loaded host: not in the write */
		schedule_work(&announce_work);
	}
	mutex_unlock(&mode_mutex);
	return 0;
}

static int mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", mode_names[READ_ONCE(hmode)]);
}

static const struct kernel_param_ops mode_ops = {
	.set = mode_set,
	.get = mode_get,
};
module_param_cb(mode, &mode_ops, NULL, 0644);
MODULE_PARM_DESC(mode, "attack: none random maxweight churn replay reorder doublefetch indices stop teardown versionflood statecycle");

int xot_hostile_init(void)
{
	period_ms = clamp(period_ms, 100U, 60000U);
	INIT_DELAYED_WORK(&chan_work, chan_work_fn);
	INIT_WORK(&announce_work, announce_fn);
	mutex_lock(&mode_mutex);
	WRITE_ONCE(started, true);
	pr_warn("%s: TEST MODULE, attacking dom0 with XoT mode '%s': never load it in production\n",
		XOT_TAGGER, mode_names[hmode]);
	mutex_unlock(&mode_mutex);
	announce();
	/* the channel attacks look at the mode every period */
	if (xen_domain()) {
		schedule_delayed_work(&chan_work, msecs_to_jiffies(period_ms));
		flood_task = kthread_run(flood_fn, NULL, "xot-hostile-flood");
		if (IS_ERR(flood_task)) {
			pr_warn("%s: no flood thread (%ld): versionflood and statecycle do nothing\n",
				XOT_TAGGER, PTR_ERR(flood_task));
			flood_task = NULL;
		}
	}
	return 0;
}

void xot_hostile_exit(void)
{
	mutex_lock(&mode_mutex);
	WRITE_ONCE(started, false);
	mutex_unlock(&mode_mutex);
	if (flood_task)
		kthread_stop(flood_task);
	flood_task = NULL;
	cancel_delayed_work_sync(&chan_work);
	cancel_work_sync(&announce_work);
	if (announced)
		xenbus_rm(XBT_NIL, "data", "xot-hostile");
	announced = false;
}
