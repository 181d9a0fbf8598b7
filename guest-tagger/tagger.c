// SPDX-License-Identifier: GPL-2.0
/*
 * xot-tagger: the guest side of XoT, beside stock xen-blkfront.
 *
 * Every bio submitted to a Xen virtual block device (major 202, "xvd*") is
 * seen at the block_bio_queue tracepoint, in the context of the process that
 * submitted it: the only place where the issuer is still known (by the time
 * blkfront issues the request it may run in a kworker). This module counts
 * those bios per disk; the XoT channel frontend (a record per blkif request,
 * published to dom0) is built on this probe.
 *
 * Statistics: /sys/kernel/debug/xot-tagger/stats
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/atomic.h>

#include <xot/ktracepoint.h>

/* include/uapi/linux/major.h has no name for it; xen-blkfront uses 202 */
#define XOT_XENVBD_MAJOR	202

static atomic64_t xvd_bios;
static atomic64_t xvd_sectors;
static atomic64_t xvd_sync_bios;
static struct tracepoint *tp_bio_queue;
static struct dentry *debug_dir;

static void probe_bio_queue(void *ignore, struct bio *bio)
{
	if (!bio->bi_bdev || MAJOR(bio_dev(bio)) != XOT_XENVBD_MAJOR)
		return;
	atomic64_inc(&xvd_bios);
	atomic64_add(bio_sectors(bio), &xvd_sectors);
	if (op_is_sync(bio->bi_opf))
		atomic64_inc(&xvd_sync_bios);
}

static int stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "xvd_bios %lld\nxvd_sectors %lld\nxvd_sync_bios %lld\n",
		   atomic64_read(&xvd_bios), atomic64_read(&xvd_sectors),
		   atomic64_read(&xvd_sync_bios));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int __init xot_tagger_init(void)
{
	tp_bio_queue = xot_tp_attach("xot-tagger", "block_bio_queue", probe_bio_queue);
	if (IS_ERR(tp_bio_queue))
		return PTR_ERR(tp_bio_queue);
	debug_dir = debugfs_create_dir("xot-tagger", NULL);
	debugfs_create_file("stats", 0400, debug_dir, NULL, &stats_fops);
	return 0;
}

static void __exit xot_tagger_exit(void)
{
	debugfs_remove_recursive(debug_dir);
	xot_tp_detach(tp_bio_queue, probe_bio_queue);
}

module_init(xot_tagger_init);
module_exit(xot_tagger_exit);

MODULE_AUTHOR("The XoT developers");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XoT guest tagger: per-request identity beside xen-blkfront");
