// SPDX-License-Identifier: GPL-2.0
/*
 * xot-tagger: the XoT channel of each Xen virtual disk (frontend side of
 * include/xot/channel.h).
 *
 * Every change under device/vbd (a disk appearing or going, blkfront's
 * state), every change of a backend's feature-xot and every resume only
 * schedules one work item, reconcile(), which compares what is in xenstore
 * with what exists and makes them agree, under xot_vbd_mutex:
 *
 *   channel wanted  <=>  the frontend is Connected, the backend wrote
 *                        feature-xot >= 1, and blkfront's xenbus device
 *                        exists (its gendisk tells the probes which disk
 *                        is which vbd);
 *   channel kept    <=>  still wanted, with the same backend domain,
 *                        number of blkif rings and ring order, and the
 *                        frontend not seen leaving Connected in between.
 *
 * Setting up: one XoT ring per blkif ring (multi-queue-num-queues, default
 * 1), of the smallest order whose slots hold twice the blkif ring
 * (32 << ring-page-order requests), each page granted read-only to the
 * backend domain; then, in one transaction, xot-ring-order, xot-nr-rings,
 * xot-ring-ref-<ring>-<page> and xot-version last. Withdrawing: unpublish
 * the channel from the probes (RCU), remove xot-version and the other keys
 * in one transaction, end the grants (gnttab_end_foreign_access() frees a
 * page at once, or later once dom0 has unmapped it).
 *
 * Watch callbacks run in xenbus's single xenwatch thread; they never take
 * xot_vbd_mutex (the work unregisters watches while holding it, and that
 * waits for the xenwatch thread).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/workqueue.h>
#include <linux/seq_file.h>
#include <linux/notifier.h>
#include <linux/device.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/events.h>
#include <xen/xen-ops.h>

#include "tagger.h"
#include "compat.h"

#define VBD_DIR		"device/vbd"
/* blkif requests per page of blkif ring (x86_64, native protocol) */
#define BLKIF_REQS_PER_PAGE	32U

static struct workqueue_struct *xot_wq;
static struct work_struct reconcile_work;
static bool stopping;			/* under xot_vbd_mutex */
static xot_bus_type_t *xen_fe_bus;

static void kick(void)
{
	queue_work(xot_wq, &reconcile_work);
}

/* ------------------------------------------------------------ xenbus bus */

/*
 * The xenbus frontend bus_type is not exported: a driver that never
 * matches a device (no device type is called that) learns it when it
 * registers. Used only to find blkfront's xenbus device of a vbd.
 */
static const struct xenbus_device_id nomatch_ids[] = {
	{ XOT_TAGGER "-none" },
	{ "" }
};

static int nomatch_probe(struct xenbus_device *dev,
			 const struct xenbus_device_id *id)
{
	return -ENODEV;
}

static void nomatch_otherend_changed(struct xenbus_device *dev,
				     enum xenbus_state backend_state)
{
}

static struct xenbus_driver nomatch_driver = {
	.name = XOT_TAGGER "-bus-probe",
	.ids = nomatch_ids,
	.probe = nomatch_probe,
	.otherend_changed = nomatch_otherend_changed,
};

/* blkfront's xenbus device of @devid, with a reference, or NULL */
static struct device *vbd_find_dev(u32 devid)
{
	char name[24];

	snprintf(name, sizeof(name), "vbd-%u", devid);
	return bus_find_device_by_name(xen_fe_bus, NULL, name);
}

/* --------------------------------------------------------------- watches */

/*
 * device/vbd/<devid>/state changed: if the frontend left Connected, the
 * channel must be set up anew even if the work only sees it Connected
 * again (a reconnect between two runs).
 */
static void note_state_event(const char *path)
{
	struct xot_vbd *vbd;
	const char *p;
	unsigned int devid, state;
	char devstr[16];
	size_t n;

	if (strncmp(path, VBD_DIR "/", sizeof(VBD_DIR)))
		return;
	p = path + sizeof(VBD_DIR);
	n = strcspn(p, "/");
	if (n == 0 || n >= sizeof(devstr) || strcmp(p + n, "/state"))
		return;
	memcpy(devstr, p, n);
	devstr[n] = 0;
	if (kstrtouint(devstr, 10, &devid))
		return;
	state = xenbus_read_unsigned(path, "", XenbusStateUnknown);
	if (state == XenbusStateConnected)
		return;
	rcu_read_lock();
	list_for_each_entry_rcu(vbd, &xot_vbds, node)
		if (vbd->devid == devid)
			atomic_inc(&vbd->gen);
	rcu_read_unlock();
}

static void vbd_dir_changed(struct xenbus_watch *w, const char *path,
			    const char *token)
{
	note_state_event(path);
	kick();
}

static struct xenbus_watch vbd_dir_watch = {
	.node = VBD_DIR,
	.callback = vbd_dir_changed,
};

static void feature_changed(struct xenbus_watch *w, const char *path,
			    const char *token)
{
	kick();
}

static int resume_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct xot_vbd *vbd;

	/* a restored guest talks to a new backend: every channel anew */
	rcu_read_lock();
	list_for_each_entry_rcu(vbd, &xot_vbds, node)
		atomic_inc(&vbd->gen);
	rcu_read_unlock();
	kick();
	return NOTIFY_OK;
}

static struct notifier_block resume_nb = {
	.notifier_call = resume_notify,
};

/* ------------------------------------------------------------- channels */

/* Smallest order whose ring holds twice the blkif ring's requests. */
static u32 chan_order(u32 ring_page_order)
{
	u32 want = 2 * (BLKIF_REQS_PER_PAGE << min(ring_page_order, 8U));
	u32 order;

	for (order = 0; order < XOT_CHAN_MAX_ORDER; order++)
		if (XOT_CHAN_SLOTS(order) >= want)
			break;
	return order;
}

/* End the grants of @chan and free its pages (at once, or once dom0 unmapped them). */
static void chan_free(struct xot_chan *chan)
{
	u32 i, j, npages = 1U << chan->order;

	for (i = 0; i < chan->nr_rings; i++) {
		struct xot_tring *ring = &chan->ring[i];

		if (!ring->pages)
			continue;
		for (j = 0; j < npages; j++) {
			if (j < ring->nr_refs)
				gnttab_end_foreign_access(ring->refs[j], ring->pages + j);
			else
				__free_page(ring->pages + j);
		}
	}
	kfree(chan);
}

static struct xot_chan *chan_alloc(u32 nr_rings, u32 order, u32 backend_id)
{
	struct xot_chan *chan;
	u32 i, j, npages = 1U << order;
	int ref;

	chan = kzalloc(struct_size(chan, ring, nr_rings), GFP_KERNEL);
	if (!chan)
		return ERR_PTR(-ENOMEM);
	chan->order = order;
	chan->nr_rings = nr_rings;
	chan->backend_id = backend_id;
	for (i = 0; i < nr_rings; i++) {
		struct xot_tring *ring = &chan->ring[i];

		spin_lock_init(&ring->lock);
		ring->index = i;
		ring->nr_slots = XOT_CHAN_SLOTS(order);
		ring->pages = alloc_pages(GFP_KERNEL, order);
		if (!ring->pages)
			goto fail_nomem;
		/* each page its own: gnttab_end_foreign_access frees pages one by one */
		if (order)
			split_page(ring->pages, order);
		ring->base = page_address(ring->pages);
		xot_chan_ring_init(ring->base, order, i);
		for (j = 0; j < npages; j++) {
			ref = gnttab_grant_foreign_access(backend_id,
							  xen_page_to_gfn(ring->pages + j), 1);
			if (ref < 0) {
				chan_free(chan);
				return ERR_PTR(ref);
			}
			ring->refs[j] = ref;
			ring->nr_refs = j + 1;
		}
	}
	return chan;

fail_nomem:
	chan_free(chan);
	return ERR_PTR(-ENOMEM);
}

/* Remove the channel's keys from the frontend directory (one transaction). */
static int chan_remove_keys(struct xot_vbd *vbd, u32 nr_rings, u32 order)
{
	struct xenbus_transaction xbt;
	char key[40];
	u32 i, j;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	/* the version first: it is what dom0 watches */
	xenbus_rm(xbt, vbd->nodename, XOT_XS_VERSION);
	xenbus_rm(xbt, vbd->nodename, XOT_XS_ORDER);
	xenbus_rm(xbt, vbd->nodename, XOT_XS_NR_RINGS);
	for (i = 0; i < nr_rings; i++)
		for (j = 0; j < (1U << order); j++) {
			snprintf(key, sizeof(key), XOT_XS_REF_FMT, i, j);
			xenbus_rm(xbt, vbd->nodename, key);
		}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	/* the directory may be gone already: nothing left to remove */
	return err == -ENOENT ? 0 : err;
}

static void vbd_withdraw(struct xot_vbd *vbd)
{
	struct xot_chan *chan;
	u32 i;
	int err;

	chan = rcu_dereference_protected(vbd->chan, lockdep_is_held(&xot_vbd_mutex));
	if (!chan)
		return;
	RCU_INIT_POINTER(vbd->chan, NULL);
	/* no probe is publishing into the channel after this */
	synchronize_rcu();
	for (i = 0; i < chan->nr_rings; i++)
		vbd->old_published[i] += chan->ring[i].published;
	err = chan_remove_keys(vbd, chan->nr_rings, chan->order);
	if (err)
		pr_warn("%s: vbd %u: removing the XoT keys: %d\n", XOT_TAGGER,
			vbd->devid, err);
	chan_free(chan);
	vbd->withdrawals++;
	pr_info("%s: vbd %u: XoT channel withdrawn\n", XOT_TAGGER, vbd->devid);
}

/*
 * Write the channel's keys in one transaction, if the frontend is still
 * Connected with the same rings. -EAGAIN: it is not (the caller kicks the
 * work again, which looks at the new state).
 */
static int chan_write_keys(struct xot_vbd *vbd, struct xot_chan *chan)
{
	struct xenbus_transaction xbt;
	char key[40];
	u32 i, j, state, nr_rings, rpo;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_scanf(xbt, vbd->nodename, "state", "%u", &state);
	if (err != 1 || state != XenbusStateConnected)
		goto changed;
	if (xenbus_scanf(xbt, vbd->nodename, "multi-queue-num-queues", "%u", &nr_rings) != 1)
		nr_rings = 1;
	if (xenbus_scanf(xbt, vbd->nodename, "ring-page-order", "%u", &rpo) != 1)
		rpo = 0;
	if (nr_rings != chan->nr_rings || chan_order(rpo) != chan->order)
		goto changed;

	err = xenbus_printf(xbt, vbd->nodename, XOT_XS_ORDER, "%u", chan->order);
	if (!err)
		err = xenbus_printf(xbt, vbd->nodename, XOT_XS_NR_RINGS, "%u",
				    chan->nr_rings);
	for (i = 0; i < chan->nr_rings && !err; i++)
		for (j = 0; j < (1U << chan->order) && !err; j++) {
			snprintf(key, sizeof(key), XOT_XS_REF_FMT, i, j);
			err = xenbus_printf(xbt, vbd->nodename, key, "%u",
					    chan->ring[i].refs[j]);
		}
	if (!err)
		err = xenbus_printf(xbt, vbd->nodename, XOT_XS_VERSION, "%u",
				    XOT_WIRE_VERSION);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;

changed:
	xenbus_transaction_end(xbt, 1);
	return -EAGAIN;
}

static int vbd_setup(struct xot_vbd *vbd, u32 nr_rings, u32 order)
{
	struct xot_chan *chan;
	int gen = atomic_read(&vbd->gen);
	int err;

	chan = chan_alloc(nr_rings, order, vbd->backend_id);
	if (IS_ERR(chan))
		return PTR_ERR(chan);
	chan->gen = gen;
	err = chan_write_keys(vbd, chan);
	if (err) {
		/* some keys may be there if a write failed half-way */
		chan_remove_keys(vbd, nr_rings, order);
		chan_free(chan);
		return err;
	}
	rcu_assign_pointer(vbd->chan, chan);
	vbd->setups++;
	pr_info("%s: vbd %u: XoT channel up: %u ring(s) of order %u, backend domain %u\n",
		XOT_TAGGER, vbd->devid, nr_rings, order, vbd->backend_id);
	return 0;
}

/* ------------------------------------------------------------ reconcile */

static void vbd_unwatch(struct xot_vbd *vbd)
{
	if (!vbd->fwatch_on)
		return;
	unregister_xenbus_watch(&vbd->fwatch);
	kfree(vbd->fwatch.node);
	vbd->fwatch.node = NULL;
	vbd->fwatch_on = false;
}

/* Follow the backend's feature-xot: (re)watch it where the backend now is. */
static void vbd_track_backend(struct xot_vbd *vbd, char *backend)
{
	if (backend && vbd->backend && !strcmp(backend, vbd->backend)) {
		kfree(backend);
		return;
	}
	vbd_unwatch(vbd);
	kfree(vbd->backend);
	vbd->backend = backend;
	if (!backend)
		return;
	vbd->fwatch.node = kasprintf(GFP_KERNEL, "%s/%s", backend, XOT_XS_FEATURE);
	vbd->fwatch.callback = feature_changed;
	if (vbd->fwatch.node && !register_xenbus_watch(&vbd->fwatch)) {
		vbd->fwatch_on = true;
	} else {
		kfree(vbd->fwatch.node);
		vbd->fwatch.node = NULL;
		pr_warn("%s: vbd %u: cannot watch %s/%s\n", XOT_TAGGER,
			vbd->devid, backend, XOT_XS_FEATURE);
	}
}

/* blkfront's xenbus device of the vbd: keep the current one. */
static void vbd_track_dev(struct xot_vbd *vbd)
{
	struct device *dev = vbd_find_dev(vbd->devid), *old = vbd->dev;

	if (dev == old) {
		put_device(dev);
		return;
	}
	/* a new device (or none): the old one's channel goes with it */
	vbd_withdraw(vbd);
	WRITE_ONCE(vbd->dev, dev);
	if (old) {
		/* no probe compares a request's disk with the old device now */
		synchronize_rcu();
		put_device(old);
	}
}

static void vbd_sync(struct xot_vbd *vbd)
{
	struct xot_chan *chan;
	u32 nr_rings, rpo, order;
	char *backend;
	bool want;
	int err;

	vbd->fe_state = xenbus_read_unsigned(vbd->nodename, "state",
					     XenbusStateUnknown);
	vbd->backend_id = xenbus_read_unsigned(vbd->nodename, "backend-id", U32_MAX);
	backend = xenbus_read(XBT_NIL, vbd->nodename, "backend", NULL);
	vbd_track_backend(vbd, IS_ERR(backend) ? NULL : backend);
	vbd->feature = vbd->backend ?
		xenbus_read_unsigned(vbd->backend, XOT_XS_FEATURE, 0) : 0;
	vbd_track_dev(vbd);
	nr_rings = xenbus_read_unsigned(vbd->nodename, "multi-queue-num-queues", 1);
	rpo = xenbus_read_unsigned(vbd->nodename, "ring-page-order", 0);
	order = chan_order(rpo);

	want = vbd->fe_state == XenbusStateConnected && vbd->feature >= 1 &&
	       vbd->dev && vbd->backend_id < DOMID_FIRST_RESERVED &&
	       nr_rings >= 1 && nr_rings <= XOT_MAX_RING;
	chan = rcu_dereference_protected(vbd->chan, lockdep_is_held(&xot_vbd_mutex));
	if (chan && (!want || chan->gen != atomic_read(&vbd->gen) ||
		     chan->nr_rings != nr_rings || chan->order != order ||
		     chan->backend_id != vbd->backend_id))
		vbd_withdraw(vbd);
	if (!want || rcu_access_pointer(vbd->chan))
		return;
	err = vbd_setup(vbd, nr_rings, order);
	vbd->last_err = err;
	if (err == -EAGAIN)
		kick();
	else if (err)
		pr_warn("%s: vbd %u: cannot set up the XoT channel: %d\n",
			XOT_TAGGER, vbd->devid, err);
}

static struct xot_vbd *vbd_create(u32 devid)
{
	struct xot_vbd *vbd = kzalloc(sizeof(*vbd), GFP_KERNEL);

	if (!vbd)
		return NULL;
	vbd->devid = devid;
	snprintf(vbd->nodename, sizeof(vbd->nodename), VBD_DIR "/%u", devid);
	atomic_set(&vbd->gen, 0);
	list_add_tail_rcu(&vbd->node, &xot_vbds);
	return vbd;
}

static void vbd_destroy(struct xot_vbd *vbd)
{
	vbd_withdraw(vbd);
	vbd_unwatch(vbd);
	list_del_rcu(&vbd->node);
	synchronize_rcu();
	if (vbd->dev)
		put_device(vbd->dev);
	kfree(vbd->backend);
	kfree(vbd);
}

static struct xot_vbd *vbd_lookup(u32 devid)
{
	struct xot_vbd *vbd;

	list_for_each_entry(vbd, &xot_vbds, node)
		if (vbd->devid == devid)
			return vbd;
	return NULL;
}

static void reconcile(struct work_struct *work)
{
	struct xot_vbd *vbd, *tmp;
	unsigned int i, n = 0;
	char **dir;
	u32 devid;

	mutex_lock(&xot_vbd_mutex);
	if (stopping)
		goto out;
	dir = xenbus_directory(XBT_NIL, VBD_DIR, "", &n);
	if (IS_ERR(dir)) {
		dir = NULL;
		n = 0;
	}
	list_for_each_entry(vbd, &xot_vbds, node)
		vbd->seen = false;
	for (i = 0; i < n; i++) {
		if (kstrtou32(dir[i], 10, &devid))
			continue;
		vbd = vbd_lookup(devid);
		if (!vbd)
			vbd = vbd_create(devid);
		if (!vbd)
			continue;
		vbd->seen = true;
		vbd_sync(vbd);
	}
	kfree(dir);
	list_for_each_entry_safe(vbd, tmp, &xot_vbds, node)
		if (!vbd->seen)
			vbd_destroy(vbd);
out:
	mutex_unlock(&xot_vbd_mutex);
}

/* ---------------------------------------------------------------- debugfs */

static int find_disk(struct device *dev, void *data)
{
	return MAJOR(dev->devt) == XOT_XENVBD_MAJOR;
}

void xot_vbd_show(struct seq_file *m)
{
	struct xot_vbd *vbd;
	struct xot_chan *chan;
	struct device *disk;
	u32 i, j;

	mutex_lock(&xot_vbd_mutex);
	list_for_each_entry(vbd, &xot_vbds, node) {
		disk = vbd->dev ? device_find_child(vbd->dev, NULL, find_disk) : NULL;
		chan = rcu_dereference_protected(vbd->chan,
						 lockdep_is_held(&xot_vbd_mutex));
		seq_printf(m, "vbd %u disk %s frontend_state %u backend %s backend_id %d feature_xot %u channel %s gen %d setups %u withdrawals %u last_err %d\n",
			   vbd->devid, disk ? dev_name(disk) : "-", vbd->fe_state,
			   vbd->backend ? vbd->backend : "-",
			   vbd->backend_id == U32_MAX ? -1 : (int)vbd->backend_id,
			   vbd->feature, chan ? "up" : "down",
			   atomic_read(&vbd->gen), vbd->setups, vbd->withdrawals,
			   vbd->last_err);
		put_device(disk);
		seq_printf(m, "vbd %u requests %lld dropped %lld unsupported %lld requeued %lld stray %lld\n",
			   vbd->devid, atomic64_read(&vbd->requests),
			   atomic64_read(&vbd->dropped),
			   atomic64_read(&vbd->unsupported),
			   atomic64_read(&vbd->requeued),
			   atomic64_read(&vbd->stray));
		if (chan)
			seq_printf(m, "vbd %u order %u rings %u slots %u\n", vbd->devid,
				   chan->order, chan->nr_rings, XOT_CHAN_SLOTS(chan->order));
		for (i = 0; i < XOT_MAX_RING; i++) {
			struct xot_tring *ring = chan && i < chan->nr_rings ?
						 &chan->ring[i] : NULL;
			u64 pub = 0, seq = 0, retracted = 0;
			unsigned long flags;

			if (!ring && !vbd->old_published[i])
				continue;
			if (ring) {
				spin_lock_irqsave(&ring->lock, flags);
				pub = ring->published;
				seq = ring->seq;
				retracted = ring->retracted;
				spin_unlock_irqrestore(&ring->lock, flags);
			}
			seq_printf(m, "vbd %u ring %u published %llu total %llu seq %llu retracted %llu refs",
				   vbd->devid, i, pub, pub + vbd->old_published[i],
				   seq, retracted);
			for (j = 0; ring && j < ring->nr_refs; j++)
				seq_printf(m, " %u", ring->refs[j]);
			seq_puts(m, "\n");
		}
	}
	mutex_unlock(&xot_vbd_mutex);
}

/*
 * The records still in every ring, oldest first, decoded: what dom0 can
 * read now. The ring is copied under its lock, printed from the copy.
 */
static void ring_show_records(struct seq_file *m, u32 devid,
			      struct xot_tring *ring, u32 order)
{
	size_t size = XOT_CHAN_PAGE_SIZE << order;
	struct xot_record_wire *w;
	unsigned long flags;
	u64 seq, first, s;
	void *copy;

	copy = kvmalloc(size, GFP_KERNEL);
	if (!copy)
		return;
	spin_lock_irqsave(&ring->lock, flags);
	memcpy(copy, ring->base, size);
	seq = ring->seq;
	spin_unlock_irqrestore(&ring->lock, flags);
	first = seq > ring->nr_slots ? seq - ring->nr_slots : 0;
	for (s = first; s < seq; s++) {
		w = (struct xot_record_wire *)copy + 1 + (u32)(s % ring->nr_slots);
		if (le64_to_cpu(w->seq) != s)
			continue;
		seq_printf(m, "vbd %u ring %u seq %llu op %u sector %llu nr_sectors %u flags %u cgroup %llu weight %u tgid %u ioprio %u\n",
			   devid, le32_to_cpu(w->ring), s, w->op,
			   le64_to_cpu(w->sector), le32_to_cpu(w->nr_sectors),
			   w->flags, le64_to_cpu(w->cgroup_id),
			   le32_to_cpu(w->weight), le32_to_cpu(w->tgid),
			   le16_to_cpu(w->ioprio));
	}
	kvfree(copy);
}

void xot_vbd_show_records(struct seq_file *m)
{
	struct xot_vbd *vbd;
	struct xot_chan *chan;
	u32 i;

	mutex_lock(&xot_vbd_mutex);
	list_for_each_entry(vbd, &xot_vbds, node) {
		chan = rcu_dereference_protected(vbd->chan,
						 lockdep_is_held(&xot_vbd_mutex));
		for (i = 0; chan && i < chan->nr_rings; i++)
			ring_show_records(m, vbd->devid, &chan->ring[i], chan->order);
	}
	mutex_unlock(&xot_vbd_mutex);
}

#ifdef XOT_HOSTILE
/*
 * Test only (xot-hostile, tests/hostile-guest/): do to every channel what a
 * malicious or broken guest may do to dom0 behind the protocol's back.
 * @fn, if given, runs on every ring under its lock first. Returns the
 * number of channels acted on.
 *
 * END_GRANTS ends the grants while the keys still name them and dom0 may
 * still map the pages: the channel is first taken from the probes (RCU),
 * so that no record is written into a page after its grant is ended;
 * gnttab_end_foreign_access() then frees each page at once or, while dom0
 * maps it, later (its deferred list): the guest never frees a page dom0
 * can read. The next reconcile sets a new channel up and writes new keys.
 * REMOVE_KEYS withdraws the channel from xenstore but keeps publishing
 * into it, as if the guest forgot it had. REOFFER writes xot-version again
 * (the same value): dom0 maps the channel anew and reads its header.
 * STATE rewrites blkfront's state key with its value: the watches of
 * blkback and of dom0's backend directory fire as for a state change.
 */
unsigned int xot_vbd_hostile(enum xot_hostile_chan_op op,
			     void (*fn)(struct xot_tring *ring))
{
	struct xot_vbd *vbd;
	struct xot_chan *chan;
	unsigned long flags;
	unsigned int n = 0;
	int err, state;
	u32 i;

	mutex_lock(&xot_vbd_mutex);
	list_for_each_entry(vbd, &xot_vbds, node) {
		chan = rcu_dereference_protected(vbd->chan,
						 lockdep_is_held(&xot_vbd_mutex));
		if (!chan)
			continue;
		for (i = 0; fn && i < chan->nr_rings; i++) {
			spin_lock_irqsave(&chan->ring[i].lock, flags);
			fn(&chan->ring[i]);
			spin_unlock_irqrestore(&chan->ring[i].lock, flags);
		}
		n++;
		switch (op) {
		case XOT_HOSTILE_RINGS:
			break;
		case XOT_HOSTILE_END_GRANTS:
			RCU_INIT_POINTER(vbd->chan, NULL);
			synchronize_rcu();
			for (i = 0; i < chan->nr_rings; i++)
				vbd->old_published[i] += chan->ring[i].published;
			chan_free(chan);
			vbd->withdrawals++;
			break;
		case XOT_HOSTILE_REMOVE_KEYS:
			err = chan_remove_keys(vbd, chan->nr_rings, chan->order);
			if (err)
				pr_warn("%s: vbd %u: removing the keys: %d\n",
					XOT_TAGGER, vbd->devid, err);
			break;
		case XOT_HOSTILE_STATE:
			/*
			 * The same value: blkback's and dom0's watches fire as
			 * for a real change, the guest's disk stays connected.
			 */
			err = xenbus_scanf(XBT_NIL, vbd->nodename, "state", "%d",
					   &state);
			if (err == 1)
				err = xenbus_printf(XBT_NIL, vbd->nodename, "state",
						    "%d", state);
			if (err < 0)
				pr_warn_ratelimited("%s: vbd %u: rewriting state: %d\n",
						    XOT_TAGGER, vbd->devid, err);
			break;
		case XOT_HOSTILE_REOFFER:
			err = xenbus_printf(XBT_NIL, vbd->nodename, XOT_XS_VERSION,
					    "%u", XOT_WIRE_VERSION);
			if (err)
				pr_warn("%s: vbd %u: writing %s: %d\n", XOT_TAGGER,
					vbd->devid, XOT_XS_VERSION, err);
			break;
		}
	}
	mutex_unlock(&xot_vbd_mutex);
	/* channels ended: the reconcile sets new ones up */
	if (op == XOT_HOSTILE_END_GRANTS && n)
		kick();
	return n;
}
#endif

/* ------------------------------------------------------------- init/exit */

int xot_vbd_init(void)
{
	int err;

	xot_wq = alloc_ordered_workqueue(XOT_TAGGER, 0);
	if (!xot_wq)
		return -ENOMEM;
	INIT_WORK(&reconcile_work, reconcile);
	err = xenbus_register_frontend(&nomatch_driver);
	if (err)
		goto err_wq;
	xen_fe_bus = nomatch_driver.driver.bus;
	/* fires once at once: the first reconcile finds the disks already there */
	err = register_xenbus_watch(&vbd_dir_watch);
	if (err)
		goto err_drv;
	xen_resume_notifier_register(&resume_nb);
	return 0;

err_drv:
	xenbus_unregister_driver(&nomatch_driver);
err_wq:
	destroy_workqueue(xot_wq);
	return err;
}

void xot_vbd_exit(void)
{
	struct xot_vbd *vbd, *tmp;

	xen_resume_notifier_unregister(&resume_nb);
	unregister_xenbus_watch(&vbd_dir_watch);
	mutex_lock(&xot_vbd_mutex);
	stopping = true;
	mutex_unlock(&xot_vbd_mutex);
	cancel_work_sync(&reconcile_work);

	mutex_lock(&xot_vbd_mutex);
	list_for_each_entry_safe(vbd, tmp, &xot_vbds, node)
		vbd_destroy(vbd);
	mutex_unlock(&xot_vbd_mutex);
	/* feature watches are gone: nothing queues work any more */
	destroy_workqueue(xot_wq);
	xenbus_unregister_driver(&nomatch_driver);
}
