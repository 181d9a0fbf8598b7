// SPDX-License-Identifier: GPL-2.0
/*
 * xot-trace: blktrace in, per-entity shares out (README.md, "Trace
 * analysis: xot-trace"). This file: the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define EXIT_INPUT	1
#define EXIT_USAGE	2
#define EXIT_OUTPUT	3

static const char usage_text[] =
"Usage: xot-trace [OPTIONS] INPUT...\n"
"Per-entity shares of a block device from a blktrace capture of the xot\n"
"elevator: every completed request is attributed to the VM, guest cgroup,\n"
"process and dom0 cgroup named by xot's dispatch messages, and the shares\n"
"of requests, bytes and device time (issue->complete) are compared with the\n"
"target shares that follow from the weights.\n"
"\n"
"INPUT is blktrace's output NAME (reads NAME.blktrace.N), a directory\n"
"(its *.blktrace.N files), a file, or - for one stream on standard input\n"
"(blktrace -o -). Capture on the host, as root:\n"
"  echo 1 > /sys/kernel/tracing/options/blk_cgroup   # dom0 cgroup ids\n"
"  blktrace -d /dev/sdX -w 30 -o xot\n"
"  xot-trace --svg xot.svg xot\n"
"\n"
"Options:\n"
"  -w, --window SEC      length of the time windows (default 1)\n"
"  -j, --json FILE       write the full report as JSON (- : standard output)\n"
"  -s, --svg FILE        plot the shares per window (SVG)\n"
"  -m, --metric M        share plotted and tabled per window: time (device\n"
"                        time, default), bytes or rqs\n"
"  -l, --level L         level of the per-window table and the plot: top\n"
"                        (VMs and dom0 cgroups, default), group or process\n"
"  -d, --dev MAJ:MIN     only this device (default: all, shares over all)\n"
"  -c, --cgroup-root DIR name dom0 cgroups by path: DIR is the cgroup2 mount\n"
"                        of the traced host (/sys/fs/cgroup), read now\n"
"  -t, --title TEXT      title of the plot\n"
"  -q, --quiet           no text report on standard output\n"
"  -h, --help            this help;  -V, --version  the version\n"
"\n"
"Exit status: 0 success; 1 unreadable or invalid input (not blktrace data,\n"
"wrong byte order or version, truncated record, no completed request);\n"
"2 bad command line; 3 an output file could not be written.\n";

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "xot-trace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	return EXIT_USAGE;
}

static int lookup(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static void notes(const struct xt_report *r, int dev_given)
{
	const struct xt_stats *s = &r->a->st;

	if (!s->xot_msgs)
		fprintf(stderr, "xot-trace: note: no xot dispatch messages in the trace (device not "
			"on xot, or notes not traced): requests are attributed to the pid that "
			"queued them, without targets\n");
	else if (s->by_pid)
		fprintf(stderr, "xot-trace: note: %" PRIu64 " requests had no dispatch message "
			"(flushes, passthrough, or another scheduler): attributed to their pid\n",
			s->by_pid);
	if (s->local_msgs && !r->cgroup_ids)
		fprintf(stderr, "xot-trace: note: the trace has no cgroup ids (tracing option "
			"blk_cgroup was off): dom0 cgroups are told apart by weight only "
			"(cg?gw=N); before blktrace: echo 1 > /sys/kernel/tracing/options/blk_cgroup\n");
	if (r->a->ndevs > 1 && !dev_given)
		fprintf(stderr, "xot-trace: note: %zu devices in the trace, shares are over all "
			"of them; choose one with --dev MAJ:MIN\n", r->a->ndevs);
	if (s->orphan_msgs)
		fprintf(stderr, "xot-trace: note: %" PRIu64 " dispatch messages found no issued "
			"request (trace cut, or dropped events)\n", s->orphan_msgs);
	if (s->unmatched_completions)
		fprintf(stderr, "xot-trace: note: %" PRIu64 " completions of requests issued before "
			"the trace began are left out\n", s->unmatched_completions);
	if (s->pid_differs)
		fprintf(stderr, "xot-trace: note: %" PRIu64 " of %" PRIu64 " local requests were "
			"queued by another pid than their message's tgid (threads of one process, "
			"or messages matched to the wrong request: see README)\n",
			s->pid_differs, s->pid_checked);
	if (!s->queued)
		fprintf(stderr, "xot-trace: note: no queue (Q) records: queue->complete latencies "
			"and the submitting pids are unknown\n");
}

static int write_file(const char *path, const struct xt_report *r, int svg,
		      enum xt_metric m, enum xt_level l, const char *title)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int bad;

	if (!f) {
		fprintf(stderr, "xot-trace: %s: %s\n", path, strerror(errno));
		return EXIT_OUTPUT;
	}
	if (svg)
		bad = xt_write_svg(f, r, m, l, title);
	else
		bad = (xt_write_json(f, r), ferror(f));
	bad |= f == stdout ? fflush(f) : fclose(f);
	if (bad) {
		fprintf(stderr, "xot-trace: %s: write error\n", path);
		return EXIT_OUTPUT;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "window", required_argument, NULL, 'w' },
		{ "json", required_argument, NULL, 'j' },
		{ "svg", required_argument, NULL, 's' },
		{ "metric", required_argument, NULL, 'm' },
		{ "level", required_argument, NULL, 'l' },
		{ "dev", required_argument, NULL, 'd' },
		{ "cgroup-root", required_argument, NULL, 'c' },
		{ "title", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *json = NULL, *svg = NULL, *cgroot = NULL, *title = NULL;
	enum xt_metric metric = XT_M_TIME;
	enum xt_level level = XT_L_TOP;
	struct xt_cgmap *cg = NULL;
	struct xt_reader rd;
	struct xt_report rep;
	struct xt_attr a;
	struct xt_event ev;
	struct xt_err err = { "" };
	double window = 1;
	unsigned int maj, min;
	uint32_t dev = 0;
	int c, ret, quiet = 0, rc = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "w:j:s:m:l:d:c:t:qhV", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			errno = 0;
			window = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(window >= 0.001 && window <= 86400))
				return usage_err("--window '%s': a number of seconds, 0.001 to 86400",
						 optarg);
			break;
		case 'j': json = optarg; break;
		case 's': svg = optarg; break;
		case 't': title = optarg; break;
		case 'c': cgroot = optarg; break;
		case 'q': quiet = 1; break;
		case 'm':
			ret = lookup(optarg, xt_metric_names, XT_NMETRICS);
			if (ret < 0)
				return usage_err("--metric '%s': time, bytes or rqs", optarg);
			metric = (enum xt_metric)ret;
			break;
		case 'l':
			ret = lookup(optarg, xt_level_names, XT_NLEVELS);
			if (ret < 0)
				return usage_err("--level '%s': top, group or process", optarg);
			level = (enum xt_level)ret;
			break;
		case 'd':
			if (sscanf(optarg, "%u:%u%n", &maj, &min, &ret) != 2 || optarg[ret] ||
			    maj >= 4096 || min >= (1u << 20))
				return usage_err("--dev '%s': MAJOR:MINOR, as in /sys/block/X/dev",
						 optarg);
			dev = maj << 20 | min;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			puts("xot-trace 1 (blktrace format version 7, xot dispatch messages v1)");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_err("%s", "no input: give blktrace's output NAME, a directory, files or -");
	if (json && svg && !strcmp(json, "-") && !strcmp(svg, "-"))
		return usage_err("%s", "--json - and --svg - both on standard output");
	if ((json && !strcmp(json, "-")) || (svg && !strcmp(svg, "-")))
		quiet = 1;

	if (cgroot) {
		cg = xt_cgmap_load(cgroot, &err);
		if (!cg) {
			fprintf(stderr, "xot-trace: %s\n", err.msg);
			return EXIT_USAGE;
		}
	}
	xt_attr_init(&a);
	a.dev_filter = dev;
	if (xt_reader_open(&rd, argv + optind, (size_t)(argc - optind), &err)) {
		fprintf(stderr, "xot-trace: %s\n", err.msg);
		rc = EXIT_INPUT;
		goto out;
	}
	while ((ret = xt_reader_next(&rd, &ev, &err)) > 0)
		if (xt_attr_feed(&a, &ev, &err)) {
			ret = -1;
			break;
		}
	if (ret < 0) {
		fprintf(stderr, "xot-trace: %s\n", err.msg);
		rc = EXIT_INPUT;
		goto out;
	}
	xt_attr_finish(&a);
	if (!a.nreq) {
		fprintf(stderr, "xot-trace: no completed request in %" PRIu64 " records%s "
			"(traced with -a? issue and complete events are needed)\n",
			a.st.records, dev ? " of that device" : "");
		rc = EXIT_INPUT;
		goto out;
	}
	if (xt_report_build(&rep, &a, window, cg, &err)) {
		fprintf(stderr, "xot-trace: %s\n", err.msg);
		rc = EXIT_INPUT;
		goto out;
	}
	notes(&rep, dev != 0);
	if (!quiet)
		xt_write_text(stdout, &rep, metric, level);
	if (json)
		rc = write_file(json, &rep, 0, metric, level, title);
	if (svg && !rc)
		rc = write_file(svg, &rep, 1, metric, level, title);
	xt_report_free(&rep);
out:
	xt_reader_close(&rd);
	xt_attr_free(&a);
	xt_cgmap_free(cg);
	return rc;
}
