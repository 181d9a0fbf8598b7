// SPDX-License-Identifier: GPL-2.0
/*
 * core-bench: cost of the portable scheduling core per request, in userspace.
 *
 * For 10, 1 000 and 100 000 active queues (flat, and spread over 100 groups),
 * every queue holds one request; each step dispatches one (select, charge,
 * the queue empties and leaves the tree) and inserts one into the same queue
 * again (it rejoins the tree): the work the elevator does per request.
 * Prints a table and writes one JSON document (see ../shared/RESULTS.md).
 *
 * Usage: core-bench [--out FILE] [--ops N] [--commit ID] [--help]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xot/sched.h>

unsigned long xot_warnings;

struct leaf {
	struct xot_entity e;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One measurement: ns per dispatch+insert with @n queues in @ngroups groups. */
static double measure(long n, long ngroups, long ops)
{
	struct xot_group root, *groups;
	struct leaf *leaves;
	double t0, t1;
	long i;

	groups = calloc(ngroups, sizeof(*groups));
	leaves = calloc(n, sizeof(*leaves));
	if (!groups || !leaves) {
		fprintf(stderr, "core-bench: out of memory for %ld queues\n", n);
		exit(1);
	}
	xot_group_init_root(&root);
	for (i = 0; i < ngroups; i++)
		xot_group_init(&groups[i], &root, 100 + (i % 7) * 100);
	for (i = 0; i < n; i++) {
		xot_entity_init(&leaves[i].e, ngroups > 1 ? &groups[i % ngroups] : &root,
				1 + (i * 37) % 1000);
		xot_activate(&leaves[i].e);
	}
	/* warm up: let the virtual times spread as in steady state */
	for (i = 0; i < n && i < 200000; i++) {
		struct xot_entity *e = xot_select(&root);

		xot_deactivate(e);
		xot_charge(e, 8);
		xot_activate(e);
	}
	t0 = now_ns();
	for (i = 0; i < ops; i++) {
		struct xot_entity *e = xot_select(&root);

		/*
		 * As the elevator does: take the request out first (its queue
		 * empties and leaves the tree), then charge, so no level is
		 * re-sorted only to be removed again.
		 */
		xot_deactivate(e);
		xot_charge(e, 8 + (i & 7));
		xot_activate(e);	/* the next one arrives */
	}
	t1 = now_ns();
	if (xot_group_check(&root) != 0 || xot_warnings) {
		fprintf(stderr, "core-bench: invariant violated after the run\n");
		exit(1);
	}
	free(leaves);
	free(groups);
	return (t1 - t0) / ops;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: core-bench [--out FILE] [--ops N] [--commit ID]\n"
		"  --out FILE   JSON result file (default results/core-bench.json)\n"
		"  --ops N      requests per measurement (default 2000000)\n"
		"  --commit ID  commit recorded in the JSON (default: unknown)\n");
}

int main(int argc, char **argv)
{
	static const long sizes[] = { 10, 1000, 100000 };
	const char *out = "results/core-bench.json", *commit = "unknown";
	long ops = 2000000;
	double best[3][2];
	FILE *f;
	int i, s, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
			char *end;

			ops = strtol(argv[++i], &end, 10);
			if (*end || ops < 1000) {
				fprintf(stderr, "core-bench: --ops wants an integer >= 1000\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--commit") && i + 1 < argc) {
			commit = argv[++i];
		} else {
			fprintf(stderr, "core-bench: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}

	printf("%-10s %-8s %12s\n", "queues", "groups", "ns/request");
	for (s = 0; s < 3; s++) {
		for (i = 0; i < 2; i++) {
			long ngroups = i ? 100 : 1;

			best[s][i] = 1e18;
			/* best of five: the least disturbed run */
			for (r = 0; r < 5; r++) {
				double v = measure(sizes[s], ngroups, ops);

				if (v < best[s][i])
					best[s][i] = v;
			}
			printf("%-10ld %-8ld %12.1f\n", sizes[s], ngroups, best[s][i]);
		}
	}
	printf("ratio 100000/10 queues: flat %.2f, grouped %.2f\n",
	       best[2][0] / best[0][0], best[2][1] / best[0][1]);

	f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "core-bench: cannot write %s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(f, "{\n  \"benchmark\": \"core-bench\",\n  \"commit\": \"%s\",\n", commit);
	fprintf(f, "  \"command\": \"make bench-core\",\n");
	fprintf(f, "  \"machine\": \"userspace, best of 5 runs of %ld requests\",\n", ops);
	fprintf(f, "  \"results\": [\n");
	for (s = 0; s < 3; s++)
		for (i = 0; i < 2; i++)
			fprintf(f, "    {\"active_queues\": %ld, \"groups\": %d, \"ns_per_request\": %.1f}%s\n",
				sizes[s], i ? 100 : 1, best[s][i], (s == 2 && i == 1) ? "" : ",");
	fprintf(f, "  ],\n  \"ratio_100000_to_10\": {\"flat\": %.3f, \"grouped\": %.3f}\n}\n",
		best[2][0] / best[0][0], best[2][1] / best[0][1]);
	fclose(f);
	printf("wrote %s\n", out);
	return 0;
}
