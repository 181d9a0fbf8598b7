// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl status: devices on xot and their tunables; xot-blkback's channels
 * per VM and vbd; the shares each entity got over the last interval, from
 * two snapshots of each device's debugfs tree (see shares.c for what is
 * counted); the guest tagger's debugfs files, raw, in a guest. This file:
 * the options and the refresh loop (status.h lists the others).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

static const char status_help[] =
	"Usage: xotctl status [--json] [--interval SEC] [--watch SEC [--count N]]\n"
	"\n"
	"Shows, on dom0 or any host using the xot elevator:\n"
	"  - block devices whose scheduler is xot, with their tunables\n"
	"    (/sys/block/DEV/queue/iosched/) and elevator counters (debugfs stats);\n"
	"  - xot-blkback (dom0): per VM and vbd, whether the XoT channel is up, its\n"
	"    protocol version, and records matched, unmatched, rejected (by reason)\n"
	"    and dropped;\n"
	"  - live shares: requests dispatched per VM, guest cgroup, dom0 cgroup and\n"
	"    process queue over the interval, as a share of the parent and of the\n"
	"    device, from two snapshots of /sys/kernel/debug/block/DEV/sched/tree\n"
	"    (and io.xot.stat for dom0 cgroups). A queue reused for another process\n"
	"    counts from 0 again;\n"
	"  - in a guest: xot-tagger's debugfs files as they are.\n"
	"debugfs must be mounted (/sys/kernel/debug) and readable (root). What\n"
	"cannot be read is said in place; status still exits 0 (2 on bad options).\n"
	"\n"
	"Share columns: WEIGHT and QUEUED now; OWN_RQS requests dispatched from the\n"
	"entity's own queues in the interval; RQS the same with everything below it;\n"
	"RQS/S per second; OF_PARENT and OF_DEVICE its RQS over its parent's and the\n"
	"device's. \"n/a\": the elevator has no counter for it; \"-\": not known.\n"
	"\n"
	"Options:\n"
	"  --json          one JSON document (with --watch: one per line)\n"
	"  --interval SEC  time between the two snapshots (default 1; 0: no shares)\n"
	"  --watch SEC     refresh every SEC seconds until interrupted; each refresh\n"
	"                  shows the shares since the previous one\n"
	"  --count N       with --watch: stop after N refreshes\n";

struct opts {
	bool json;
	double interval, watch;
	long count;
};

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static bool parse_secs(const char *s, double *v, bool zero_ok)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !errno && end != s && !*end && isfinite(*v) && *v <= 86400 &&
	       (zero_ok ? *v >= 0 : *v > 0);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	o->json = false;
	o->interval = 1;
	o->watch = 0;
	o->count = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			o->json = true;
			continue;
		}
		if (strcmp(a, "--interval") && strcmp(a, "--watch") && strcmp(a, "--count")) {
			xc_err("status: unknown %s '%s' (try xotctl status --help)",
			       a[0] == '-' ? "option" : "argument", a);
			return XC_EXIT_USAGE;
		}
		if (!v) {
			xc_err("status: %s needs a value", a);
			return XC_EXIT_USAGE;
		}
		i++;
		if (!strcmp(a, "--interval") && !parse_secs(v, &o->interval, true)) {
			xc_err("status: bad --interval '%s' (seconds, 0..86400)", v);
			return XC_EXIT_USAGE;
		}
		if (!strcmp(a, "--watch") && !parse_secs(v, &o->watch, false)) {
			xc_err("status: bad --watch '%s' (seconds, more than 0)", v);
			return XC_EXIT_USAGE;
		}
		if (!strcmp(a, "--count")) {
			unsigned long long n;

			if (!xc_parse_ull(v, &n) || !n || n > 1000000000ULL) {
				xc_err("status: bad --count '%s' (a positive integer)", v);
				return XC_EXIT_USAGE;
			}
			o->count = (long)n;
		}
	}
	if (o->count && !o->watch) {
		xc_err("status: --count needs --watch");
		return XC_EXIT_USAGE;
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct snap a = { 0 }, b = { 0 };
	struct xc_dev *devs = NULL;
	struct blkback bb;
	struct opts o;
	bool have_a = false;
	long round;
	int nr, r;

	if (xc_want_help(argc, argv, status_help))
		return XC_EXIT_OK;
	r = parse_opts(argc, argv, &o);
	if (r)
		return r;
	for (round = 0; !o.count || round < o.count; round++) {
		nr = xc_xot_devices(&devs);
		if (nr < 0) {
			nr = 0;
			if (!round)
				xc_warn("cannot list /sys/block");
		}
		if (!round && o.interval > 0) {
			status_take(&a, devs, nr);
			have_a = true;
			sleep_s(o.interval);
		}
		status_take(&b, devs, nr);
		free(devs);
		devs = NULL;
		status_blkback_read(&bb);
		if (o.watch && !o.json && isatty(1))
			fputs("\033[H\033[J", stdout);
		if (o.json)
			status_json(have_a ? &a : NULL, &b, &bb, !o.watch);
		else
			status_table(have_a ? &a : NULL, &b, &bb);
		fflush(stdout);
		status_blkback_free(&bb);
		status_drop(&a);
		a = b;
		memset(&b, 0, sizeof(b));
		have_a = true;
		if (!o.watch)
			break;
		if (!o.json)
			printf("\n");
		if (!o.count || round + 1 < o.count)
			sleep_s(o.watch);
	}
	status_drop(&a);
	return XC_EXIT_OK;
}
