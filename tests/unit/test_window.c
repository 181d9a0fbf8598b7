// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the adaptive in-flight window (core/window.c) on model
 * devices: one that serves everything it holds in parallel (the window must
 * stay at full depth: no throughput lost) and one that serves a few at a
 * time and queues the rest (the window must shrink to about what it serves
 * at once), with and without jitter in the latencies.
 */
#include <stdint.h>

#include <xot/window.h>
#include "unit.h"

struct model {
	u64 done, lat;
	u32 parallel;		/* requests served at once; 0: all */
	u64 service_ns;
	u32 jitter_pct;		/* +- latency noise, deterministic */
	u32 seed;
};

static u32 next_rand(struct model *m)
{
	m->seed = m->seed * 1103515245u + 12345u;
	return (m->seed >> 16) & 0x7fff;
}

/* One epoch at the current window, always held back (competition). */
static void epoch(struct xot_window *w, struct model *m)
{
	u32 win = w->window, i;
	u64 lat = m->service_ns;

	if (m->parallel && win > m->parallel)
		lat = m->service_ns * win / m->parallel;	/* queued inside */
	for (i = 0; i < (win > XOT_WIN_MIN_SAMPLES ? win : XOT_WIN_MIN_SAMPLES); i++) {
		u64 l = lat;

		if (m->jitter_pct) {
			long d = (long)(next_rand(m) % (2 * m->jitter_pct + 1)) - m->jitter_pct;

			l = lat * (100 + d) / 100;
		}
		m->done++;
		m->lat += l;
	}
	w->limited = true;
	xot_window_update(w, m->done, m->lat);
}

static void test_parallel_device_full_depth(void)
{
	u32 jitter[2] = { 0, 20 }, j;

	for (j = 0; j < 2; j++) {
		struct xot_window w;
		struct model m = { .service_ns = 25600000, .jitter_pct = jitter[j], .seed = 1 };
		long sum = 0, n = 0, full = 0;
		int e;

		xot_window_init(&w, 64);
		for (e = 0; e < 4000; e++) {
			epoch(&w, &m);
			if (e >= 1000) {
				sum += w.window;
				n++;
				full += w.window == 64;
			}
		}
		/* all but the probes (one epoch in 32, at half) at full depth */
		CHECKF(sum >= n * 64 * 95 / 100, "jitter %u: mean window %.1f",
		       jitter[j], (double)sum / n);
		CHECKF(full >= n * 90 / 100, "jitter %u: full depth in %ld of %ld epochs",
		       jitter[j], full, n);
	}
}

static void test_queueing_device_shrinks(void)
{
	u32 jitter[2] = { 0, 20 }, j;

	for (j = 0; j < 2; j++) {
		struct xot_window w;
		struct model m = { .parallel = 4, .service_ns = 1000000,
				   .jitter_pct = jitter[j], .seed = 7 };
		long sum = 0, n = 0;
		u32 lo = 1000, hi = 0;
		int e;

		xot_window_init(&w, 64);
		for (e = 0; e < 20000; e++) {
			epoch(&w, &m);
			if (e >= 10000 && !w.probing) {
				sum += w.window;
				n++;
				lo = w.window < lo ? w.window : lo;
				hi = w.window > hi ? w.window : hi;
			}
		}
		/* about what it serves at once (4) plus a few, never starved */
		CHECKF(sum <= n * 10 && lo >= 3, "jitter %u: mean window %.1f (min %u max %u)",
		       jitter[j], (double)sum / n, lo, hi);
	}
}

static void test_device_gets_faster_and_slower(void)
{
	/* parallel 4 -> fully parallel: the window goes back to full depth */
	struct xot_window w;
	struct model m = { .parallel = 4, .service_ns = 1000000, .seed = 3 };
	int e;

	xot_window_init(&w, 64);
	for (e = 0; e < 10000; e++)
		epoch(&w, &m);
	CHECKF(w.window <= 10, "window %u", w.window);
	m.parallel = 0;
	for (e = 0; e < 2000; e++)
		epoch(&w, &m);
	CHECKF(w.window == 64 || w.probing, "window %u after the device became parallel", w.window);
}

static void test_bounds(void)
{
	struct xot_window w;
	struct model m = { .parallel = 1, .service_ns = 1000, .seed = 5 };
	int e;

	xot_window_init(&w, 0);		/* a zero depth is taken as 1 */
	CHECK(w.depth == 1 && w.window == 1);
	for (e = 0; e < 1000; e++) {
		epoch(&w, &m);
		CHECK(w.window == 1);
	}
	xot_window_init(&w, 2);
	for (e = 0; e < 1000; e++) {
		epoch(&w, &m);
		CHECK(w.window >= 1 && w.window <= 2);
	}
	/* too few completions: nothing changes */
	xot_window_init(&w, 64);
	xot_window_update(&w, XOT_WIN_MIN_SAMPLES - 1, 1000000);
	CHECK(w.window == 64 && w.base_ns == 0);
}

static const struct unit_test tests[] = {
	{ "parallel_device_full_depth", test_parallel_device_full_depth },
	{ "queueing_device_shrinks", test_queueing_device_shrinks },
	{ "device_gets_faster_and_slower", test_device_gets_faster_and_slower },
	{ "bounds", test_bounds },
};

UNIT_MAIN("window", tests)
