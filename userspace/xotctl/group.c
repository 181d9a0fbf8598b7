// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl group: cgroup weights through io.xot.weight (blkio.xot.weight on
 * cgroup v1). A line is checked with the shared parser (core/weight.c)
 * before anything is written; the kernel checks it again (devices).
 */
#include <stdlib.h>
#include <string.h>

#include <xot/weight.h>

#include "xotctl.h"

static const char group_help[] =
	"Usage: xotctl group get CGROUP\n"
	"       xotctl group set-weight CGROUP LINE...\n"
	"\n"
	"CGROUP is a path below the cgroup root (\"gold\", \"/vms/web\"). LINE is one\n"
	"io.xot.weight line, given as one argument or several:\n"
	"  W | default W      the cgroup's default weight, 1..10000\n"
	"  MAJ:MIN W          its weight on one device\n"
	"  MAJ:MIN default    drop the device's own weight\n"
	"The file is io.xot.weight on cgroup v2, blkio.xot.weight on v1, written\n"
	"through libcgroup. `get` prints the weight file and io.xot.stat\n"
	"(requests, bytes, service and wait time per device).\n"
	"\n"
	"Examples:\n"
	"  xotctl group set-weight gold 800\n"
	"  xotctl group set-weight gold 8:16 250\n"
	"  xotctl group get gold\n";

static void indent(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		int n = e ? (int)(e - p) : (int)strlen(p);

		printf("  %.*s\n", n, p);
		p += n + (e ? 1 : 0);
	}
}

static int group_get(const char *cg)
{
	char *w = NULL, *s = NULL;
	bool root = !cg[strspn(cg, "/")];
	int r;

	/* the root cgroup has io.xot.stat but no io.xot.weight */
	r = xc_cg_read(cg, root ? "stat" : "weight", root ? &s : &w, false);
	if (r)
		return r;
	printf("cgroup %s%s\n", cg[0] == '/' && !root ? "" : "/", root ? "" : cg);
	if (w) {
		printf("weight:\n");
		indent(w);
		free(w);
	}
	if (s || !xc_cg_read(cg, "stat", &s, true)) {
		printf("stat:\n");
		indent(s);
		free(s);
	}
	return 0;
}

static int group_set(const char *cg, int argc, char **argv)
{
	struct xot_weight_line l;
	char line[256] = "";
	size_t n = 0;
	int i;

	for (i = 0; i < argc; i++) {
		int r = snprintf(line + n, sizeof(line) - n, "%s%s", i ? " " : "", argv[i]);

		if (r < 0 || (size_t)r >= sizeof(line) - n) {
			xc_err("bad weight line: too long");
			return XC_EXIT_USAGE;
		}
		n += (size_t)r;
	}
	if (xot_weight_line_parse(line, &l)) {
		xc_err("bad weight line '%s': want W, \"default W\", \"MAJ:MIN W\" or "
		       "\"MAJ:MIN default\" with W in 1..10000", line);
		return XC_EXIT_USAGE;
	}
	return xc_cg_write(cg, line);
}

int cmd_group(int argc, char **argv)
{
	if (xc_want_help(argc, argv, group_help))
		return XC_EXIT_OK;
	if (argc < 2) {
		xc_err("group: missing subcommand (get, set-weight; try xotctl group --help)");
		return XC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "get")) {
		if (argc != 3) {
			xc_err("usage: xotctl group get CGROUP");
			return XC_EXIT_USAGE;
		}
		return group_get(argv[2]);
	}
	if (!strcmp(argv[1], "set-weight")) {
		if (argc < 4) {
			xc_err("usage: xotctl group set-weight CGROUP LINE");
			return XC_EXIT_USAGE;
		}
		return group_set(argv[2], argc - 3, argv + 3);
	}
	xc_err("group: unknown subcommand '%s' (get, set-weight)", argv[1]);
	return XC_EXIT_USAGE;
}
