// SPDX-License-Identifier: GPL-2.0
/*
 * XoT adaptive in-flight window (see include/xot/window.h). Compiled
 * unchanged into the xot elevator and into the userspace tests.
 */
#include <xot/window.h>

void xot_window_init(struct xot_window *w, u32 depth)
{
	memset(w, 0, sizeof(*w));
	w->depth = depth ? depth : 1;
	w->window = w->depth;
}

static u32 win_step(u32 window)
{
	return window >= 16 ? window / 8 : 1;
}

void xot_window_update(struct xot_window *w, u64 done, u64 lat_ns)
{
	u64 n = done - w->done0, mean, queued;
	u32 win = w->window;

	if (n < (win > XOT_WIN_MIN_SAMPLES ? win : XOT_WIN_MIN_SAMPLES))
		return;
	mean = xot_div64_u64(lat_ns - w->lat0, n);
	if (!mean)
		mean = 1;
	w->done0 = done;
	w->lat0 = lat_ns;
	w->last_mean_ns = mean;

	if (w->probing) {
		/* a half-window epoch: only a new low of the base counts */
		w->probing = false;
		if (!w->base_ns || mean < w->base_ns)
			w->base_ns = mean;
		w->window = w->saved;
		w->limited = false;
		return;
	}
	if (!w->base_ns || mean < w->base_ns)
		w->base_ns = mean;
	else
		w->base_ns += (mean - w->base_ns) >> 8;

	queued = xot_div64_u64((u64)win * (mean - w->base_ns), mean);
	if (queued > (win / 4 > 2 ? win / 4 : 2)) {
		if (win > 1) {
			win -= win_step(win);
			w->shrinks++;
		}
	} else if (w->limited && queued < (win / 8 > 1 ? win / 8 : 1) && win < w->depth) {
		win += win_step(win);
		if (win > w->depth)
			win = w->depth;
		w->grows++;
	}
	w->limited = false;
	w->window = win;

	if (++w->epochs >= XOT_WIN_PROBE_EPOCHS && win > 1) {
		w->epochs = 0;
		w->probing = true;
		w->saved = win;
		w->window = win / 2;
		w->probes++;
	}
}
