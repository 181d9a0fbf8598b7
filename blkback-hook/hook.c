// SPDX-License-Identifier: GPL-2.0
/*
 * xot-blkback: the dom0 side of XoT, beside stock xen-blkback.
 *
 * xen-blkback submits every guest request from a per-ring kernel thread named
 * "<domid>.<vdev>-<ring>" (e.g. "3.xvda-0"), with dom0's root cgroup: the
 * guest's identity is lost there. This module watches the block layer at
 * the block_bio_queue tracepoint, recognises blkback's threads, and accounts
 * their bios per guest. It is the base the XoT channel backend (reading the
 * guest's records and attaching them to these bios) is built on.
 *
 * Statistics: /sys/kernel/debug/xot-blkback/domains
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/sched.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/atomic.h>

#include <xot/ktracepoint.h>

/* Xen domain ids go up to 0x7fef; guests on one host are far fewer. */
#define XOT_HOOK_MAX_DOMID	1024

struct xot_dom_stats {
	atomic64_t bios;
	atomic64_t sectors;
};

static struct xot_dom_stats dom_stats[XOT_HOOK_MAX_DOMID];
static atomic64_t other_domid_bios;	/* domid beyond the table */
static struct tracepoint *tp_bio_queue;
static struct dentry *debug_dir;

/*
 * Is current one of blkback's ring threads? Return its domid or -1.
 * The name "<domid>.<vdev>-<ring>" starts with decimal digits and a dot.
 */
static int blkback_thread_domid(void)
{
	const char *c = current->comm;
	int domid = 0, digits = 0;

	if (!(current->flags & PF_KTHREAD))
		return -1;
	for (; *c >= '0' && *c <= '9' && digits < 6; c++, digits++)
		domid = domid * 10 + (*c - '0');
	if (!digits || *c != '.' || !strchr(c, '-'))
		return -1;
	return domid;
}

static void probe_bio_queue(void *ignore, struct bio *bio)
{
	int domid = blkback_thread_domid();

	if (domid < 0)
		return;
	if (domid >= XOT_HOOK_MAX_DOMID) {
		atomic64_inc(&other_domid_bios);
		return;
	}
	atomic64_inc(&dom_stats[domid].bios);
	atomic64_add(bio_sectors(bio), &dom_stats[domid].sectors);
}

static int domains_show(struct seq_file *m, void *v)
{
	int d;

	seq_puts(m, "domid bios sectors\n");
	for (d = 0; d < XOT_HOOK_MAX_DOMID; d++) {
		s64 bios = atomic64_read(&dom_stats[d].bios);

		if (bios)
			seq_printf(m, "%d %lld %lld\n", d, bios,
				   atomic64_read(&dom_stats[d].sectors));
	}
	seq_printf(m, "other %lld\n", atomic64_read(&other_domid_bios));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(domains);

static int __init xot_blkback_init(void)
{
	tp_bio_queue = xot_tp_attach("xot-blkback", "block_bio_queue", probe_bio_queue);
	if (IS_ERR(tp_bio_queue))
		return PTR_ERR(tp_bio_queue);
	debug_dir = debugfs_create_dir("xot-blkback", NULL);
	debugfs_create_file("domains", 0400, debug_dir, NULL, &domains_fops);
	pr_info("xot-blkback: watching xen-blkback ring threads\n");
	return 0;
}

static void __exit xot_blkback_exit(void)
{
	debugfs_remove_recursive(debug_dir);
	/* no probe may still be running when the module text goes away */
	xot_tp_detach(tp_bio_queue, probe_bio_queue);
}

module_init(xot_blkback_init);
module_exit(xot_blkback_exit);

MODULE_AUTHOR("The XoT developers");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XoT dom0 hook: guest request identity beside xen-blkback");
