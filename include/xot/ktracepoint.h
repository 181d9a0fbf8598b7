/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attach a probe to a kernel tracepoint by name. Several block tracepoints
 * XoT needs (block_bio_queue, block_rq_issue, ...) are not exported to
 * modules by symbol, but every tracepoint is reachable through
 * for_each_kernel_tracepoint() and tracepoint_probe_register(), both
 * exported GPL. Kernel-only.
 */
#ifndef _XOT_KTRACEPOINT_H
#define _XOT_KTRACEPOINT_H

#include <linux/tracepoint.h>
#include <linux/string.h>
#include <linux/err.h>
#include <linux/printk.h>

struct xot_tp_lookup {
	const char *name;
	struct tracepoint *tp;
};

static inline void xot_tp_match(struct tracepoint *tp, void *priv)
{
	struct xot_tp_lookup *l = priv;

	if (!l->tp && !strcmp(tp->name, l->name))
		l->tp = tp;
}

/* The tracepoint called @name, or NULL. */
static inline struct tracepoint *xot_tp_find(const char *name)
{
	struct xot_tp_lookup l = { .name = name };

	for_each_kernel_tracepoint(xot_tp_match, &l);
	return l.tp;
}

/*
 * Find tracepoint @name and attach @probe to it (no private data). Returns
 * the tracepoint, or an ERR_PTR after logging why, prefixed with @who.
 */
static inline struct tracepoint *xot_tp_attach(const char *who, const char *name,
					       void *probe)
{
	struct tracepoint *tp = xot_tp_find(name);
	int ret;

	if (!tp) {
		pr_err("%s: tracepoint %s not found\n", who, name);
		return ERR_PTR(-ENOENT);
	}
	ret = tracepoint_probe_register(tp, probe, NULL);
	if (ret) {
		pr_err("%s: cannot attach to %s: %d\n", who, name, ret);
		return ERR_PTR(ret);
	}
	return tp;
}

/* Detach @probe; on return no call of it is running anywhere. */
static inline void xot_tp_detach(struct tracepoint *tp, void *probe)
{
	tracepoint_probe_unregister(tp, probe, NULL);
	tracepoint_synchronize_unregister();
}

#endif /* _XOT_KTRACEPOINT_H */
