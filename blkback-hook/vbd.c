// SPDX-License-Identifier: GPL-2.0
/*
 * xot-blkback, xenstore side: find blkback's virtual disks, offer the XoT
 * feature, and map the record rings a guest grants (docs/PROTOCOL.md).
 *
 * A watch on "backend/vbd" tells of every vbd the toolstack creates or
 * removes; for each, the module writes feature-xot in the backend
 * directory and watches the frontend's xot-version key. When the key
 * appears, a work item (never xenwatch itself) reads the ring keys (all
 * untrusted: bounded before use), maps the pages read-only with
 * gnttab_map_refs() (never xenbus_map_ring_valloc(): on failure it would
 * mark blkback's own device fatal), and publishes the channel to the probe
 * with RCU. When the key
 * goes (guest unloads the tagger, reconnects, or dies: xenstore removes its
 * tree) the rings are unmapped, so that the guest can end its grants and a
 * dead domain does not linger.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/workqueue.h>
#include <linux/string.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include <xot/blk.h>
#include "hook.h"

/* every vbd known, read under RCU */
LIST_HEAD(hook_vbds);
/*
 * Held only to insert into or remove from hook_vbds and for the VM
 * weights: never across a xenstore access, a grant operation or an RCU
 * grace period, so that nothing a guest can make slow (its offers) holds
 * up discovery in xenwatch or a write of vm_weights.
 */
DEFINE_MUTEX(hook_mutex);
/*
 * Serialises discovery (xenwatch's backend_changed() and unload), the only
 * writers of hook_vbds: its holder may read xenstore while it walks the
 * list. No offer work takes it.
 */
static DEFINE_MUTEX(hook_scan_mutex);
/* offer reads and vbd teardowns: destroyed (drained) at unload */
static struct workqueue_struct *hook_wq;

static struct xenbus_watch backend_watch;
static unsigned long blkif_schedule_fn;

/*
 * The address of xen_blkif_schedule (static in xen-blkback.ko), the
 * function of every blkback ring thread: registering a kprobe on the symbol
 * is the supported way to resolve it from a module. Needs xen-blkback
 * loaded: resolved at our load, again whenever xen-blkback becomes live
 * (module notifier, so the order the two modules load in does not matter),
 * and forgotten when it goes, so that a stale address never makes another
 * thread's kthread data look like a blkif ring.
 */
static void resolve_blkif_schedule(void)
{
	struct kprobe kp = { .symbol_name = "xen_blkif_schedule" };

	if (READ_ONCE(blkif_schedule_fn))
		return;
	if (register_kprobe(&kp))
		return;
	WRITE_ONCE(blkif_schedule_fn, (unsigned long)kp.addr);
	unregister_kprobe(&kp);
	pr_info("xot-blkback: xen-blkback ring threads run %pS\n", kp.addr);
}

static void resolve_work_fn(struct work_struct *work)
{
	resolve_blkif_schedule();
}

static DECLARE_WORK(resolve_work, resolve_work_fn);

static int blkback_module_event(struct notifier_block *nb, unsigned long state,
				void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "xen_blkback"))
		return NOTIFY_DONE;
	if (state == MODULE_STATE_LIVE) {
		/* kprobes has its own module notifier: resolve outside ours */
		schedule_work(&resolve_work);
	} else if (state == MODULE_STATE_GOING) {
		/* its ring threads are gone: its backends were removed first */
		flush_work(&resolve_work);
		WRITE_ONCE(blkif_schedule_fn, 0);
		pr_info("xot-blkback: xen-blkback unloaded\n");
	}
	return NOTIFY_DONE;
}

static struct notifier_block blkback_module_nb = {
	.notifier_call = blkback_module_event,
};

unsigned long hook_blkif_schedule(void)
{
	return READ_ONCE(blkif_schedule_fn);
}

/*
 * The vbd a blkback ring thread serves: blkback knows it by a 16-bit
 * handle, which an extended device number (xvdq and beyond) does not fit
 * (include/xot/blk.h). Two vbds of a domain with one handle are both
 * marked (vbd_add()) and matched by neither's records: their requests are
 * still charged to the right VM.
 */
struct hook_vbd *hook_vbd_of_handle(u32 domid, u16 handle)
{
	struct hook_vbd *v;

	list_for_each_entry_rcu(v, &hook_vbds, node)
		if (v->domid == domid && v->handle == handle)
			return v;
	return NULL;
}

/* ------------------------------------------------------------ ring mapping */

/*
 * Unmap a ring and give its pages back. Safe on a ring that ring_map() left
 * half set up: pages is set only once gnttab_alloc_pages() filled it, and
 * every handle starts invalid. A page whose unmap failed may still be
 * mapped to the guest's memory: it is leaked, never reused.
 */
static void ring_unmap(struct hook_ring *r)
{
	struct gntab_unmap_queue_data q = {};
	struct gnttab_unmap_grant_ref *unmap = NULL;
	struct page **upages = NULL, **freeable = NULL;
	unsigned int i, n = 0, nfree = 0, leaked = 0;
	int err = 0;

	if (!r->pages)
		goto out;
	unmap = kcalloc(r->nr_pages, sizeof(*unmap), GFP_KERNEL);
	upages = kcalloc(r->nr_pages, sizeof(*upages), GFP_KERNEL);
	freeable = kcalloc(r->nr_pages, sizeof(*freeable), GFP_KERNEL);
	if (!unmap || !upages || !freeable) {
		/* never free pages a guest may still map: leak them instead */
		pr_err_ratelimited("xot-blkback: no memory to unmap a guest ring; leaking it\n");
		goto out;
	}
	for (i = 0; i < r->nr_pages; i++) {
		if (r->handles[i] == INVALID_GRANT_HANDLE) {
			freeable[nfree++] = r->pages[i];
			continue;
		}
		gnttab_set_unmap_op(&unmap[n],
				    (unsigned long)pfn_to_kaddr(page_to_pfn(r->pages[i])),
				    GNTMAP_host_map | GNTMAP_readonly, r->handles[i]);
		upages[n++] = r->pages[i];
	}
	q.unmap_ops = unmap;
	q.pages = upages;
	q.count = n;
	/* waits while the pages are still in use (e.g. by an in-flight read) */
	if (n)
		err = gnttab_unmap_refs_sync(&q);
	for (i = 0; i < n; i++) {
		/* a failed hypercall leaves every op's status unknown */
		if (err || unmap[i].status != GNTST_okay)
			leaked++;
		else
			freeable[nfree++] = upages[i];
	}
	if (leaked)
		pr_warn_ratelimited("xot-blkback: unmapping a guest ring failed (%d); leaking %u page(s)\n",
				    err, leaked);
	if (nfree)
		gnttab_free_pages(nfree, freeable);
out:
	kfree(unmap);
	kfree(upages);
	kfree(freeable);
	kfree(r->pages);
	kfree(r->handles);
	r->pages = NULL;
	r->handles = NULL;
}

static void chan_free(struct hook_chan *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_rings; i++)
		ring_unmap(&c->rings[i]);
	kfree(c);
}

static int ring_map(struct hook_vbd *v, struct hook_ring *r, unsigned int ring,
		    unsigned int order, const u32 *refs)
{
	const void *addr[1U << XOT_CHAN_MAX_ORDER];
	struct gnttab_map_grant_ref *map;
	struct page **pages;
	unsigned int i, n = 1U << order;
	int err;

	r->nr_pages = n;
	r->handles = kcalloc(n, sizeof(*r->handles), GFP_KERNEL);
	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	map = kcalloc(n, sizeof(*map), GFP_KERNEL);
	if (!r->handles || !pages || !map) {
		err = -ENOMEM;
		goto err;
	}
	for (i = 0; i < n; i++)
		r->handles[i] = INVALID_GRANT_HANDLE;
	err = gnttab_alloc_pages(n, pages);
	if (err)
		goto err;
	/* from here ring_unmap() gives the pages back (and unmaps what mapped) */
	r->pages = pages;
	pages = NULL;
	for (i = 0; i < n; i++)
		gnttab_set_map_op(&map[i], (unsigned long)pfn_to_kaddr(page_to_pfn(r->pages[i])),
				  GNTMAP_host_map | GNTMAP_readonly, refs[i], v->domid);
	err = gnttab_map_refs(map, NULL, r->pages, n);
	for (i = 0; i < n; i++) {
		if (map[i].status == GNTST_okay)
			r->handles[i] = map[i].handle;
		else if (!err)
			err = -EINVAL;
	}
	if (err)
		goto out;
	/*
	 * Each page at its own linear address: a vmap() of grant-mapped pages
	 * is not present in a PV dom0 (seen: oops on the first read). The
	 * consumer takes the pages one by one.
	 */
	for (i = 0; i < n; i++)
		addr[i] = pfn_to_kaddr(page_to_pfn(r->pages[i]));
	err = xot_chan_check_header(addr[0], order, ring);
	if (!err)
		xot_chan_consumer_init(&r->cons, addr, order);
	goto out;
err:
	kfree(pages);
out:
	kfree(map);
	return err;
}

/* The ring keys of an offer, as read from xenstore (all untrusted). */
struct hook_offer {
	unsigned int order;
	unsigned int nr_rings;
	u32 refs[XOT_HOOK_MAX_PAGES];	/* ring r's page i at r << order | i */
};

/* Read and bound the frontend's ring keys; false if they are bad. */
static bool offer_read(struct hook_vbd *v, struct hook_offer *o)
{
	unsigned int r, i, ref;
	/* room for any two u32: gcc cannot always see the bounds below (W=1) */
	char key[sizeof(XOT_XS_REF_FMT) + 2 * 10];

	memset(o, 0, sizeof(*o));
	if (xenbus_scanf(XBT_NIL, v->frontend, XOT_XS_ORDER, "%u", &o->order) != 1 ||
	    xenbus_scanf(XBT_NIL, v->frontend, XOT_XS_NR_RINGS, "%u", &o->nr_rings) != 1 ||
	    o->order > XOT_CHAN_MAX_ORDER || !o->nr_rings ||
	    o->nr_rings > XOT_HOOK_MAX_RINGS ||
	    (o->nr_rings << o->order) > XOT_HOOK_MAX_PAGES)
		return false;
	for (r = 0; r < o->nr_rings; r++)
		for (i = 0; i < (1U << o->order); i++) {
			snprintf(key, sizeof(key), XOT_XS_REF_FMT, r, i);
			if (xenbus_scanf(XBT_NIL, v->frontend, key, "%u", &ref) != 1)
				return false;
			o->refs[r << o->order | i] = ref;
		}
	return true;
}

/* Map the channel @o offers; NULL if a ring does not map or is bad. */
static struct hook_chan *chan_map(struct hook_vbd *v, const struct hook_offer *o)
{
	struct hook_chan *c;
	unsigned int i;
	int err;

	c = kzalloc(struct_size(c, rings, o->nr_rings), GFP_KERNEL);
	if (!c)
		return NULL;
	c->order = o->order;
	for (i = 0; i < o->nr_rings; i++) {
		c->nr_rings = i + 1;
		err = ring_map(v, &c->rings[i], i, o->order, &o->refs[i << o->order]);
		if (err) {
			pr_warn_ratelimited("xot-blkback: dom%u vbd %u: XoT ring %u not mapped (%d)\n",
					    v->domid, v->devid, i, err);
			chan_free(c);
			return NULL;
		}
	}
	return c;
}

/* Replace the vbd's channel (v->lock held); the old one is unmapped. */
static void chan_replace(struct hook_vbd *v, struct hook_chan *c)
{
	struct hook_chan *old = rcu_replace_pointer(v->chan, c,
						    lockdep_is_held(&v->lock));

	if (!old)
		return;
	/* no probe can still read the old rings after this */
	synchronize_rcu();
	chan_free(old);
}

/*
 * The frontend's xot-version changed: set up, keep, or tear down. Runs in a
 * work item, not in xenwatch: mapping rings and waiting for an RCU grace
 * period there would hold up every other backend's xenstore events, and a
 * guest can rewrite the key as often as it likes. Events that come while
 * a read is pending are coalesced into it, reads of one vbd are at least
 * XOT_HOOK_OFFER_INTERVAL apart. Only this vbd's lock is held: a slow or
 * hostile guest delays its own channel, nobody else's.
 */
static void offer_work_fn(struct work_struct *work)
{
	struct hook_vbd *v = container_of(to_delayed_work(work), struct hook_vbd,
					  offer_work);
	struct hook_offer o;	/* 264 bytes: the stack takes it */
	unsigned int version;
	struct hook_chan *c;

	mutex_lock(&v->lock);
	WRITE_ONCE(v->offer_next, jiffies + XOT_HOOK_OFFER_INTERVAL);
	v->offer_reads++;
	if (xenbus_scanf(XBT_NIL, v->frontend, XOT_XS_VERSION, "%u", &version) != 1) {
		chan_replace(v, NULL);
		goto out;
	}
	if (version != XOT_WIRE_VERSION || !offer_read(v, &o)) {
		if (version == XOT_WIRE_VERSION)
			pr_warn_ratelimited("xot-blkback: dom%u vbd %u: bad XoT ring keys\n",
					    v->domid, v->devid);
		v->chan_errors++;
		chan_replace(v, NULL);
		goto out;
	}
	/*
	 * A new offer (reconnect) replaces the old channel, even with the
	 * same grant references: the guest may have started its ring afresh.
	 */
	c = chan_map(v, &o);
	if (!c)
		v->chan_errors++;
	else
		v->chan_ups++;
	chan_replace(v, c);
	if (c)
		pr_info_ratelimited("xot-blkback: dom%u (%s) vbd %u: XoT channel up, %u ring(s) of %u page(s)\n",
				    v->domid, v->name, v->devid, c->nr_rings, 1U << c->order);
out:
	mutex_unlock(&v->lock);
}

/*
 * xenbus's reader thread, before it queues an event for xenwatch: drop the
 * event while one of this watch is still queued (as the backend bus does
 * for frontend state since XSA-349). The queued one makes the offer be
 * read as it is when the read runs, so nothing is lost, and a guest that
 * rewrites xot-version in a loop queues at most one event at a time.
 */
static bool frontend_will_handle(struct xenbus_watch *w, const char *path,
				 const char *token)
{
	return w->nr_pending == 0;
}

/* xenwatch: only queue the read (see offer_work_fn); a pending one absorbs it */
static void frontend_changed(struct xenbus_watch *w, const char *path,
			     const char *token)
{
	struct hook_vbd *v = container_of(w, struct hook_vbd, watch);
	long wait = (long)(READ_ONCE(v->offer_next) - jiffies);

	WRITE_ONCE(v->offer_events, v->offer_events + 1);
	queue_delayed_work(hook_wq, &v->offer_work,
			   wait > 0 && wait <= XOT_HOOK_OFFER_INTERVAL ? wait : 0);
}

/* ---------------------------------------------------------- vbd discovery */

static void vbd_free_rcu(struct rcu_head *head)
{
	struct hook_vbd *v = container_of(head, struct hook_vbd, rcu);

	kfree(v->backend);
	kfree(v->frontend);
	kfree(v->watch_path);
	kfree(v);
}

/*
 * Tear down a vbd already off hook_vbds: its watch first (after that no
 * event queues its offer work; unregistering waits for a callback that
 * runs), then its offer work, then its channel. Sleeps (xenwatch, grant
 * unmaps, RCU): never called in xenwatch nor with hook_mutex held.
 */
static void vbd_teardown(struct hook_vbd *v)
{
	if (v->watching)
		unregister_xenbus_watch(&v->watch);
	cancel_delayed_work_sync(&v->offer_work);
	mutex_lock(&v->lock);
	chan_replace(v, NULL);
	mutex_unlock(&v->lock);
	call_rcu(&v->rcu, vbd_free_rcu);
}

static void vbd_free_work_fn(struct work_struct *work)
{
	vbd_teardown(container_of(work, struct hook_vbd, free_work));
}

/*
 * hook_scan_mutex held. No new probe finds @v afterwards; the rest of the
 * teardown runs on hook_wq, out of xenwatch.
 */
static void vbd_remove(struct hook_vbd *v)
{
	mutex_lock(&hook_mutex);
	list_del_rcu(&v->node);
	mutex_unlock(&hook_mutex);
	queue_work(hook_wq, &v->free_work);
}

/* hook_scan_mutex held: the list does not change under the walk */
static struct hook_vbd *vbd_lookup(u32 domid, u32 devid)
{
	struct hook_vbd *v;

	list_for_each_entry_rcu(v, &hook_vbds, node,
				lockdep_is_held(&hook_scan_mutex))
		if (v->domid == domid && v->devid == devid)
			return v;
	return NULL;
}

/* hook_scan_mutex held */
static void vbd_add(u32 domid, u32 devid)
{
	struct hook_vbd *v, *other;
	char *name;

	if (vbd_lookup(domid, devid))
		return;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return;
	v->domid = domid;
	v->devid = devid;
	v->handle = xot_vdev_handle(devid);
	mutex_init(&v->lock);
	INIT_DELAYED_WORK(&v->offer_work, offer_work_fn);
	INIT_WORK(&v->free_work, vbd_free_work_fn);
	v->backend = kasprintf(GFP_KERNEL, "backend/vbd/%u/%u", domid, devid);
	if (!v->backend)
		goto err;
	/* the toolstack writes "frontend" with the rest: wait for it */
	v->frontend = xenbus_read(XBT_NIL, v->backend, "frontend", NULL);
	if (IS_ERR(v->frontend)) {
		v->frontend = NULL;
		goto err;
	}
	name = kasprintf(GFP_KERNEL, "/local/domain/%u", domid);
	if (name) {
		char *vm = xenbus_read(XBT_NIL, name, "name", NULL);

		if (!IS_ERR(vm)) {
			strscpy(v->name, vm, sizeof(v->name));
			kfree(vm);
		}
		kfree(name);
	}
	v->watch_path = kasprintf(GFP_KERNEL, "%s/%s", v->frontend, XOT_XS_VERSION);
	if (!v->watch_path)
		goto err;
	mutex_lock(&hook_mutex);
	v->vm_weight = hook_vm_weight(v->name);
	list_for_each_entry(other, &hook_vbds, node)
		if (other->domid == domid && other->handle == v->handle) {
			WRITE_ONCE(other->handle_clash, true);
			v->handle_clash = true;
			pr_warn_ratelimited("xot-blkback: dom%u vbds %u and %u share blkback handle %u: no records for either\n",
					    domid, other->devid, devid, v->handle);
		}
	list_add_rcu(&v->node, &hook_vbds);
	mutex_unlock(&hook_mutex);
	/* tell the frontend we read XoT rings of this version */
	xenbus_printf(XBT_NIL, v->backend, XOT_XS_FEATURE, "%u", XOT_WIRE_VERSION);
	v->watch.node = v->watch_path;
	v->watch.will_handle = frontend_will_handle;
	v->watch.callback = frontend_changed;
	/* fires at once: an offer made before we looked is read too */
	v->watching = !register_xenbus_watch(&v->watch);
	pr_info_ratelimited("xot-blkback: dom%u (%s) vbd %u: feature-xot offered\n",
			    domid, v->name, devid);
	return;
err:
	kfree(v->backend);
	kfree(v->frontend);
	kfree(v);
}

/* Parse "backend/vbd/<domid>/<devid>[/...]"; false if not of that shape. */
static bool parse_vbd_path(const char *path, u32 *domid, u32 *devid)
{
	int n = 0;

	if (sscanf(path, "backend/vbd/%u/%u%n", domid, devid, &n) != 2 || !n)
		return false;
	return path[n] == '\0' || path[n] == '/';
}

/* Parse "backend/vbd/<domid>" (nothing after); false if not that. */
static bool parse_dom_path(const char *path, u32 *domid)
{
	int n = 0;

	if (sscanf(path, "backend/vbd/%u%n", domid, &n) != 1 || !n)
		return false;
	return path[n] == '\0';
}

#define HOOK_ANY_DOMID	U32_MAX

/* hook_scan_mutex held: add every vbd of @only (or of every domain) */
static void scan(u32 only)
{
	char **doms, **devs, *dir;
	unsigned int nd, nv, i, j;
	u32 domid, devid;

	doms = xenbus_directory(XBT_NIL, "backend/vbd", "", &nd);
	if (IS_ERR(doms))
		return;
	for (i = 0; i < nd; i++) {
		if (kstrtou32(doms[i], 10, &domid) ||
		    (only != HOOK_ANY_DOMID && domid != only))
			continue;
		dir = kasprintf(GFP_KERNEL, "backend/vbd/%u", domid);
		if (!dir)
			continue;
		devs = xenbus_directory(XBT_NIL, dir, "", &nv);
		kfree(dir);
		if (IS_ERR(devs))
			continue;
		for (j = 0; j < nv; j++)
			if (!kstrtou32(devs[j], 10, &devid))
				vbd_add(domid, devid);
		kfree(devs);
	}
	kfree(doms);
}

/*
 * hook_scan_mutex held: remove every vbd of @only (or of every domain)
 * whose backend directory is gone. The toolstack may remove a domain's
 * whole backend/vbd/<domid>, or all of backend/vbd: then the watch fires
 * once, for that directory, and not for each vbd in it.
 */
static void reap(u32 only)
{
	struct hook_vbd *v, *tmp;

	list_for_each_entry_safe(v, tmp, &hook_vbds, node)
		if ((only == HOOK_ANY_DOMID || v->domid == only) &&
		    !xenbus_exists(XBT_NIL, v->backend, ""))
			vbd_remove(v);
}

/*
 * xenbus's reader thread: what is worth waking xenwatch for. A vbd comes
 * and goes with its directory (backend/vbd/<domid>/<devid>, or a parent
 * removed whole); its "frontend" key may be written after the directory.
 * Every other key below a vbd (blkback rewrites "state" each time the
 * guest flips its own) changes nothing here: dropped, so that a guest
 * cycling its state does not queue work for us in xenwatch.
 */
static bool backend_will_handle(struct xenbus_watch *w, const char *path,
				const char *token)
{
	const char *p = path;
	unsigned int slashes = 0;

	for (; *p; p++)
		if (*p == '/')
			slashes++;
	if (slashes <= 3)	/* backend/vbd/<domid>/<devid> and above */
		return true;
	p = strrchr(path, '/');
	return slashes == 4 && !strcmp(p + 1, "frontend");
}

static void backend_changed(struct xenbus_watch *w, const char *path,
			    const char *token)
{
	struct hook_vbd *v;
	u32 domid, devid;
	char *dir;

	mutex_lock(&hook_scan_mutex);
	if (!parse_vbd_path(path, &domid, &devid)) {
		/* backend/vbd (registration) or a domain's directory */
		if (!parse_dom_path(path, &domid))
			domid = HOOK_ANY_DOMID;
		scan(domid);
		reap(domid);
		goto out;
	}
	dir = kasprintf(GFP_KERNEL, "backend/vbd/%u/%u", domid, devid);
	if (!dir)
		goto out;
	v = vbd_lookup(domid, devid);
	if (!xenbus_exists(XBT_NIL, dir, "")) {
		if (v)
			vbd_remove(v);
	} else if (!v) {
		vbd_add(domid, devid);
	}
	kfree(dir);
out:
	mutex_unlock(&hook_scan_mutex);
}

int hook_vbd_start(void)
{
	int ret;

	if (!xen_initial_domain())
		return -ENODEV;
	hook_wq = alloc_workqueue("xot-blkback", 0, 0);
	if (!hook_wq)
		return -ENOMEM;
	ret = register_module_notifier(&blkback_module_nb);
	if (ret)
		goto err_wq;
	resolve_blkif_schedule();
	backend_watch.node = "backend/vbd";
	backend_watch.will_handle = backend_will_handle;
	backend_watch.callback = backend_changed;
	/* fires once at once: the initial scan */
	ret = register_xenbus_watch(&backend_watch);
	if (ret)
		goto err_nb;
	return 0;

err_nb:
	unregister_module_notifier(&blkback_module_nb);
	flush_work(&resolve_work);
err_wq:
	destroy_workqueue(hook_wq);
	return ret;
}

void hook_vbd_stop(void)
{
	struct hook_vbd *v, *tmp;

	/* no backend_changed runs after this: nobody else adds or removes */
	unregister_xenbus_watch(&backend_watch);
	unregister_module_notifier(&blkback_module_nb);
	flush_work(&resolve_work);
	mutex_lock(&hook_scan_mutex);
	list_for_each_entry_safe(v, tmp, &hook_vbds, node) {
		/* withdraw the offer: the frontend stops publishing */
		xenbus_rm(XBT_NIL, v->backend, XOT_XS_FEATURE);
		vbd_remove(v);
	}
	mutex_unlock(&hook_scan_mutex);
	/*
	 * Every teardown, earlier removals' and these, has run once the queue
	 * is drained; each unregistered its vbd's watch, so nothing queues
	 * on it any more.
	 */
	destroy_workqueue(hook_wq);
	/* vbd_free_rcu() is this module's code */
	rcu_barrier();
}

void hook_vbd_show(struct seq_file *m)
{
	struct hook_vbd *v;
	unsigned int r;

	seq_puts(m, "domid vm devid vm_weight channel rings order ups errors\n");
	rcu_read_lock();
	list_for_each_entry_rcu(v, &hook_vbds, node) {
		struct hook_chan *c = rcu_dereference(v->chan);

		seq_printf(m, "%u %s %u %u %s %u %u %llu %llu\n", v->domid,
			   v->name[0] ? v->name : "-", v->devid, READ_ONCE(v->vm_weight),
			   c ? "up" : "down", c ? c->nr_rings : 0, c ? c->order : 0,
			   v->chan_ups, v->chan_errors);
		for (r = 0; c && r < c->nr_rings; r++) {
			const struct xot_chan_consumer *k = &c->rings[r].cons;
			enum xot_wire_err e;

			seq_printf(m, "  ring %u next_seq %llu matched %llu continued %llu unmatched %llu dropped %llu",
				   r, k->next_seq, k->matched, k->continued,
				   k->unmatched, k->dropped);
			for (e = XOT_WIRE_OK + 1; e < XOT_WIRE_NR_ERRORS; e++)
				if (k->rejected[e])
					seq_printf(m, " rejected_%s %llu",
						   xot_wire_strerror(e), k->rejected[e]);
			seq_putc(m, '\n');
		}
		seq_printf(m, "  offers %llu reads %llu\n", READ_ONCE(v->offer_events),
			   v->offer_reads);
		for (r = 0; r < XOT_MAX_RING; r++)
			if (v->threads[r].bios)
				seq_printf(m, "  thread %u bios %llu\n", r, v->threads[r].bios);
	}
	rcu_read_unlock();
}
