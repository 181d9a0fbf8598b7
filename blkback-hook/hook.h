/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-blkback internals: the per-vbd state shared by the block-layer probe
 * (hook.c), the xenstore side (vbd.c: discovery, negotiation, mapping the
 * guest's rings) and the VM weights (vm_weight.c).
 */
#ifndef _XOT_BLKBACK_HOOK_H
#define _XOT_BLKBACK_HOOK_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <xen/xenbus.h>

#include <xot/channel.h>
#include <xot/origin.h>

#define XOT_HOOK_NAME_LEN	64	/* VM names (xl allows longer; longer never match) */
/* what one vbd may make dom0 map: rings x pages (256 KiB) */
#define XOT_HOOK_MAX_PAGES	64
#define XOT_HOOK_MAX_RINGS	16
/* a vbd's offers are read at most this often (xenwatch only queues them) */
#define XOT_HOOK_OFFER_INTERVAL	(HZ / 4)

/* One mapped XoT record ring. */
struct hook_ring {
	struct page **pages;
	grant_handle_t *handles;
	unsigned int nr_pages;
	struct xot_chan_consumer cons;	/* only the ring's blkback thread writes it */
};

/* A channel: the rings a frontend offered, as mapped. Replaced whole. */
struct hook_chan {
	struct rcu_head rcu;
	unsigned int nr_rings;
	unsigned int order;
	struct hook_ring rings[];
};

/* What the probe last learned for a blkif ring's thread (see hook.c). */
struct hook_thread {
	struct xot_origin origin;	/* for the request being submitted */
	u64 bios;			/* bios of this ring seen */
};

/* One virtual block device: backend/vbd/<domid>/<devid>. */
struct hook_vbd {
	struct list_head node;		/* in hook_vbds, RCU */
	struct rcu_head rcu;
	u32 domid;
	u32 devid;
	u16 handle;			/* blkback's vbd.handle: xot_vdev_handle(devid) */
	bool handle_clash;		/* another vbd of the domain has the handle */
	u32 vm_weight;			/* from vm_weights by VM name; 100 by default */
	char name[XOT_HOOK_NAME_LEN];	/* VM name, "" if unknown */
	char *backend;			/* backend/vbd/<domid>/<devid> */
	char *frontend;			/* the guest's device/vbd/<devid> */
	char *watch_path;		/* <frontend>/xot-version */
	struct xenbus_watch watch;	/* on watch_path, with a will_handle */
	bool watching;
	/* reads the offer outside xenwatch, coalescing rewrites (vbd.c) */
	struct delayed_work offer_work;
	unsigned long offer_next;	/* jiffies: earliest next read */
	/* tears the vbd down outside xenwatch once it is off hook_vbds */
	struct work_struct free_work;
	/* serialises the offer reads and channel changes of this vbd only */
	struct mutex lock;
	struct hook_chan __rcu *chan;	/* NULL: no channel; changed under lock */
	u64 offer_events;		/* xot-version watch events */
	u64 offer_reads;		/* times the offer was read (lock) */
	u64 chan_ups;			/* times a channel was mapped (lock) */
	u64 chan_errors;		/* offers refused: bad keys, failed maps (lock) */
	struct hook_thread threads[XOT_MAX_RING];
};

/* RCU readers; writers hold hook_mutex (and vbd.c's discovery mutex) */
extern struct list_head hook_vbds;
extern struct mutex hook_mutex;

/* vbd.c */
int hook_vbd_start(void);
void hook_vbd_stop(void);
struct hook_vbd *hook_vbd_of_handle(u32 domid, u16 handle);	/* rcu_read_lock held */
void hook_vbd_show(struct seq_file *m);
unsigned long hook_blkif_schedule(void);

/* vm_weight.c */
u32 hook_vm_weight(const char *name);
void hook_vm_weights_apply(void);	/* hook_mutex held */
void hook_vm_weights_free(void);

#endif /* _XOT_BLKBACK_HOOK_H */
