/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XoT adaptive in-flight window: how many requests the elevator lets into
 * the device while entities compete, so that the order it chooses still
 * decides who is served, without giving up throughput.
 *
 * The device's queue is invisible, but its effect on latency is not. Like
 * TCP Vegas, the window compares the mean dispatch-to-completion time of
 * the last epoch (one window's worth of completions, at least
 * XOT_WIN_MIN_SAMPLES) with a low estimate of the unloaded latency (base):
 *
 *     queued = window * (mean - base) / mean
 *
 * is how many of the window's requests waited inside the device rather
 * than being served. A device that serves everything it holds in parallel
 * (fixed latency whatever the depth) shows no queue, and the window grows
 * to the driver's depth whenever it held back a dispatch: no throughput is
 * lost. A device that serves fewer at once than it accepts (a bandwidth
 * limit, an internally serial device) shows its queue, and the window
 * shrinks to what it serves at once plus a few, which keeps the waiting
 * requests in the elevator where their order is decided.
 *
 *   queued > max(2, window / 4)                  shrink by max(1, window / 8)
 *   held back, queued < max(1, window / 8)       grow by max(1, window / 8)
 *
 * base is the smallest epoch mean seen, drifting up by 1/256 of the gap
 * per epoch so that it follows a device that became slower; every
 * XOT_WIN_PROBE_EPOCHS epochs one epoch runs at half the window to measure
 * it again (the only throughput the window itself costs on a parallel
 * device: half a window for one epoch in XOT_WIN_PROBE_EPOCHS).
 *
 * Pure arithmetic on counters the caller keeps (completions, sum of their
 * latencies); the caller serialises calls (the elevator's lock).
 */
#ifndef _XOT_WINDOW_H
#define _XOT_WINDOW_H

#include <xot/compat.h>

#define XOT_WIN_MIN_SAMPLES	16
#define XOT_WIN_PROBE_EPOCHS	32

struct xot_window {
	u32 depth;		/* largest window: the driver's depth */
	u32 window;		/* current limit, 1..depth */
	u32 saved;		/* the window before a probe */
	u32 epochs;		/* since the last probe */
	bool limited;		/* the window held a dispatch back this epoch */
	bool probing;		/* this epoch runs at half window */
	u64 base_ns;		/* low estimate of the unloaded latency; 0: none */
	u64 last_mean_ns;	/* mean latency of the last epoch */
	u64 done0, lat0;	/* the counters when the epoch began */
	u64 shrinks, grows, probes;
};

/* Start at full depth (@depth >= 1), no latency known. */
void xot_window_init(struct xot_window *w, u32 depth);

/*
 * The caller's running counters: @done requests completed, @lat_ns the sum
 * of their dispatch-to-completion times. Ends the epoch and adapts the
 * window once enough completions came in; otherwise does nothing.
 */
void xot_window_update(struct xot_window *w, u64 done, u64 lat_ns);

#endif /* _XOT_WINDOW_H */
