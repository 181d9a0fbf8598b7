// SPDX-License-Identifier: GPL-2.0
/*
 * The xot-sim command line: one run, or one run per value of a swept
 * setting; tables on stdout, a JSON document (benchmark "sim") with
 * --json, and the blkparse importer. See userspace/sim/README.md.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../common/json.h"

#define MAX_SETS	64
#define MAX_SWEEP	256

struct opts {
	const char *spec;
	const char *trace;
	const char *blkparse;
	const char *pidmap;
	const char *dev;
	const char *import;
	const char *output;
	const char *json;
	const char *commit;
	const char *name;
	const char *focus;
	const char *seed;
	struct sim_override set[MAX_SETS];
	size_t nset;
	char *sweep_key;
	char *sweep_buf;
	const char *sweep_val[MAX_SWEEP];
	size_t nsweep;
	bool quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xot-sim [OPTIONS] SPEC\n"
		"       xot-sim [OPTIONS] [SPEC] --trace TRACE.csv\n"
		"       xot-sim [OPTIONS] [SPEC] --blkparse BLKPARSE.txt --pid-map MAP [--dev MAJ,MIN]\n"
		"       xot-sim --import-blkparse BLKPARSE.txt --pid-map MAP [--dev MAJ,MIN] [-o OUT.csv]\n"
		"\n"
		"Simulate the xot elevator (its scheduling core, compiled unchanged) on a\n"
		"model device, for a synthetic workload SPEC and/or a recorded trace. Prints\n"
		"per entity the target and achieved shares, IOPS and latency, the largest\n"
		"share error at every level of the cgroup tree and Jain's index.\n"
		"Formats and examples: userspace/sim/README.md.\n"
		"\n"
		"Options:\n"
		"  --seed N            random seed (default: the spec's, else 1); same seed, same output\n"
		"  --set KEY=VALUE     set a variable the spec declares (var KEY ...), or a setting:\n"
		"                      %s\n"
		"                      (repeatable)\n"
		"  --sweep KEY=V1,V2,..  one run per value, then a summary table\n"
		"  --focus ENTITY      in the summary: that entity's IOPS and latency (e.g. /reader:r)\n"
		"  --json FILE         write the results as JSON (benchmark \"sim\", ../shared/RESULTS.md)\n"
		"  --commit ID         commit recorded in the JSON (default unknown)\n"
		"  --name NAME         scenario name (default: the spec's name, or its file name)\n"
		"  --quiet             no per-entity tables\n"
		"  --trace FILE        replay a CSV trace (time_us,entity_path,weight,bytes,op)\n"
		"  --blkparse FILE     replay the Q events of blkparse's default text output\n"
		"  --pid-map FILE      for blkparse: lines 'PID CGROUP [WEIGHT]', '* CGROUP [WEIGHT]'\n"
		"  --dev MAJ,MIN       for blkparse: the device to take (default: the only one)\n"
		"  --import-blkparse FILE  convert blkparse output to a CSV trace, do not simulate\n"
		"  -o, --output FILE   where --import-blkparse writes (default stdout)\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 done; 1 bad input file or failed run (message FILE:LINE: ...);\n"
		"2 bad command line.\n", sim_setting_names);
}

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "xot-sim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	return 2;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	int i;
	char *v, *s;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = true;
			continue;
		} else if (!strcmp(a, "--seed")) {
			dst = &o->seed;
		} else if (!strcmp(a, "--json")) {
			dst = &o->json;
		} else if (!strcmp(a, "--commit")) {
			dst = &o->commit;
		} else if (!strcmp(a, "--name")) {
			dst = &o->name;
		} else if (!strcmp(a, "--focus")) {
			dst = &o->focus;
		} else if (!strcmp(a, "--trace")) {
			dst = &o->trace;
		} else if (!strcmp(a, "--blkparse")) {
			dst = &o->blkparse;
		} else if (!strcmp(a, "--pid-map")) {
			dst = &o->pidmap;
		} else if (!strcmp(a, "--dev")) {
			dst = &o->dev;
		} else if (!strcmp(a, "--import-blkparse")) {
			dst = &o->import;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			dst = &o->output;
		} else if (!strcmp(a, "--set") || !strcmp(a, "--sweep")) {
			if (i + 1 >= argc)
				return usage_err("%s needs KEY=VALUE", a);
			v = strchr(argv[++i], '=');
			if (!v || v == argv[i] || !v[1])
				return usage_err("'%s' is not KEY=VALUE", argv[i]);
			if (a[2] == 's' && a[3] == 'e') {
				if (o->nset == MAX_SETS)
					return usage_err("more than %s --set options", "64");
				o->set[o->nset].key = argv[i];
				o->set[o->nset].value = v + 1;
				*v = 0;
				o->nset++;
				continue;
			}
			if (o->sweep_key)
				return usage_err("%s: one --sweep only", argv[i]);
			*v = 0;
			o->sweep_key = argv[i];
			o->sweep_buf = sim_xstrdup(v + 1);
			for (s = strtok(o->sweep_buf, ","); s; s = strtok(NULL, ",")) {
				if (o->nsweep == MAX_SWEEP)
					return usage_err("more than %s values to sweep", "256");
				o->sweep_val[o->nsweep++] = s;
			}
			if (!o->nsweep)
				return usage_err("--sweep %s: no values", o->sweep_key);
			continue;
		} else if (a[0] == '-' && a[1]) {
			return usage_err("unknown option '%s'", a);
		} else if (o->spec) {
			return usage_err("one SPEC only ('%s' is a second one)", a);
		} else {
			o->spec = a;
			continue;
		}
		if (i + 1 >= argc || !argv[i + 1][0])
			return usage_err("%s needs a value", a);
		*dst = argv[++i];
	}
	if (o->import) {
		if (o->spec || o->trace || o->blkparse || o->sweep_key || o->nset || o->json)
			return usage_err("%s converts only: no SPEC, --trace, --blkparse, --set, --sweep or --json with it",
					 "--import-blkparse");
		if (!o->pidmap)
			return usage_err("%s needs --pid-map MAP", "--import-blkparse");
		return 0;
	}
	if (o->output)
		return usage_err("%s is for --import-blkparse", "-o");
	if (!o->spec && !o->trace && !o->blkparse)
		return usage_err("nothing to simulate: give a %s, --trace or --blkparse", "SPEC");
	if (o->blkparse && !o->pidmap)
		return usage_err("%s needs --pid-map MAP", "--blkparse");
	if (!o->blkparse && (o->pidmap || o->dev))
		return usage_err("%s", "--pid-map and --dev go with --blkparse or --import-blkparse");
	for (i = 0; i < (int)o->nset; i++)
		if (o->sweep_key && !strcmp(o->set[i].key, o->sweep_key))
			return usage_err("%s is both --set and --sweep", o->sweep_key);
	return 0;
}

static int do_import(const struct opts *o)
{
	struct sim_blkparse_stats st;
	struct sim_trace_rec *recs;
	struct sim_pidmap map;
	struct sim_err e;
	FILE *in, *out = stdout;
	size_t n;
	int ret;

	if (sim_pidmap_load(&map, o->pidmap, &e)) {
		fprintf(stderr, "xot-sim: %s\n", e.msg);
		return 1;
	}
	in = fopen(o->import, "r");
	if (!in) {
		fprintf(stderr, "xot-sim: %s: cannot open: %s\n", o->import, strerror(errno));
		sim_pidmap_free(&map);
		return 1;
	}
	ret = sim_blkparse_parse(in, o->import, &map, o->dev, &recs, &n, &st, &e);
	fclose(in);
	sim_pidmap_free(&map);
	if (ret) {
		fprintf(stderr, "xot-sim: %s\n", e.msg);
		return 1;
	}
	if (o->output) {
		out = fopen(o->output, "w");
		if (!out) {
			fprintf(stderr, "xot-sim: %s: cannot write: %s\n", o->output, strerror(errno));
			sim_trace_free(recs, n);
			return 1;
		}
	}
	sim_trace_write_csv(out, recs, n);
	ret = ferror(out);
	if (out != stdout)
		ret |= fclose(out);
	else
		ret |= fflush(out);
	sim_trace_free(recs, n);
	if (ret) {
		fprintf(stderr, "xot-sim: %s: write error\n", o->output ? o->output : "stdout");
		return 1;
	}
	fprintf(stderr, "xot-sim: %zu requests from %zu event lines; %zu Q events without data or discards skipped; %zu of other devices\n",
		st.queued, st.events, st.skipped, st.other_dev);
	return 0;
}

/* the scenario name: --name, the spec's "name", or the file's base name */
static char *default_name(const char *file)
{
	char *copy = sim_xstrdup(file), *base = basename(copy), *dot, *name;

	dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = 0;
	name = sim_xstrdup(base);
	free(copy);
	return name;
}

/* Build the model of one run: spec, overrides, traces. */
static int build(struct sim_model *m, const struct opts *o, const char *sweep_val,
		 struct sim_err *e)
{
	struct sim_override ov[MAX_SETS + 1];
	size_t nov = o->nset, i;
	FILE *f;
	int ret;

	memcpy(ov, o->set, o->nset * sizeof(*ov));
	if (o->sweep_key) {
		ov[nov].key = o->sweep_key;
		ov[nov].value = sweep_val;
		nov++;
	}
	for (i = 0; i < nov; i++)
		ov[i].used = false;
	sim_model_init(m);
	if (o->spec) {
		char *copy = sim_xstrdup(o->spec);

		f = fopen(o->spec, "r");
		if (!f) {
			free(copy);
			return sim_fail(e, "%s: cannot open: %s", o->spec, strerror(errno));
		}
		ret = sim_spec_parse(m, f, o->spec, dirname(copy), ov, nov, e);
		fclose(f);
		free(copy);
		if (ret)
			return ret;
	}
	for (i = 0; i < nov; i++) {
		if (ov[i].used)
			continue;
		if (sim_apply_override(m, ov[i].key, ov[i].value, e)) {
			char msg[sizeof(e->msg)];

			memcpy(msg, e->msg, sizeof(msg));
			return sim_fail(e, "--%s %s", o->sweep_key && i == nov - 1 ? "sweep" : "set",
					msg);
		}
	}
	if (o->seed && sim_apply_override(m, "seed", o->seed, e)) {
		char msg[sizeof(e->msg)];

		memcpy(msg, e->msg, sizeof(msg));
		return sim_fail(e, "--seed: %s", msg);
	}
	if (o->trace && sim_trace_load_csv(m, o->trace, e))
		return -1;
	if (o->blkparse && sim_trace_load_blkparse(m, o->blkparse, o->pidmap, o->dev, e))
		return -1;
	if (o->name || !m->name) {
		free(m->name);
		m->name = o->name ? sim_xstrdup(o->name) :
			default_name(o->spec ? o->spec : o->trace ? o->trace : o->blkparse);
	}
	return sim_model_finish(m, e);
}

struct summary_row {
	char *value;
	double iops, mbps, err, jain, util;
	u64 throttled;
	bool has_focus;
	double f_iops, f_mean, f_p50, f_p99, f_max;
};

static void print_summary(const struct opts *o, const struct summary_row *rows, size_t n)
{
	const char *key = o->sweep_key ? o->sweep_key : "run";
	size_t i, w = strlen(key);

	for (i = 0; i < n; i++)
		if (strlen(rows[i].value) > w)
			w = strlen(rows[i].value);
	printf("%ssummary%s%s\n", o->quiet ? "" : "\n", o->focus ? ", focus " : "",
	       o->focus ? o->focus : "");
	printf("%-*s %10s %8s %7s %7s %6s %10s", (int)w, key, "IOPS", "MiB/s", "err_pp", "jain",
	       "util%", "throttled");
	if (o->focus)
		printf(" %10s %9s %9s %9s %9s", "f_IOPS", "f_mean_us", "f_p50_us", "f_p99_us",
		       "f_max_us");
	printf("\n");
	for (i = 0; i < n; i++) {
		const struct summary_row *r = &rows[i];

		printf("%-*s %10.1f %8.2f %7.2f %7.4f %6.1f %10llu", (int)w, r->value, r->iops,
		       r->mbps, r->err, r->jain, r->util * 100, (unsigned long long)r->throttled);
		if (r->has_focus)
			printf(" %10.1f %9.1f %9.1f %9.1f %9.1f", r->f_iops, r->f_mean, r->f_p50,
			       r->f_p99, r->f_max);
		printf("\n");
	}
}

static void json_command(FILE *f, int argc, char **argv)
{
	size_t len = 8;
	char *cmd, *p;
	int i;

	for (i = 1; i < argc; i++)
		len += strlen(argv[i]) + 3;
	cmd = sim_xmalloc(len);
	p = cmd + sprintf(cmd, "xot-sim");
	for (i = 1; i < argc; i++)
		p += sprintf(p, strchr(argv[i], ' ') || !argv[i][0] ? " '%s'" : " %s", argv[i]);
	xot_json_str(f, cmd);
	free(cmd);
}

int sim_main(int argc, char **argv)
{
	struct summary_row rows[MAX_SWEEP];
	size_t nrows = 0;
	struct sim_model m;
	struct sim_result res;
	struct sim_report rep;
	struct sim_err e;
	struct opts o;
	char **args, *tmp = NULL;
	FILE *jf = NULL;
	size_t run, nruns;
	int i, ret;

	memset(&o, 0, sizeof(o));
	/* parse_args cuts KEY=VALUE in place: work on a copy of argv */
	args = sim_xcalloc((size_t)argc + 1, sizeof(*args));
	for (i = 0; i < argc; i++)
		args[i] = sim_xstrdup(argv[i]);
	ret = parse_args(&o, argc, args);
	if (ret) {
		ret = ret == 1 ? 0 : ret;
		goto out;
	}
	if (o.import) {
		ret = do_import(&o);
		goto out;
	}
	if (o.json) {
		tmp = sim_xasprintf("%s.tmp", o.json);
		jf = fopen(tmp, "w");
		if (!jf) {
			fprintf(stderr, "xot-sim: %s: cannot write: %s\n", tmp, strerror(errno));
			ret = 1;
			goto out;
		}
		fprintf(jf, "{\n  \"benchmark\": \"sim\",\n  \"commit\": ");
		xot_json_str(jf, o.commit ? o.commit : "unknown");
		fputs(",\n  \"command\": ", jf);
		json_command(jf, argc, argv);
		fputs(",\n  \"machine\": \"xot-sim: deterministic simulation of the xot elevator, core/sched.c unchanged\",\n",
		      jf);
		fputs("  \"scenarios\": [", jf);
	}

	nruns = o.sweep_key ? o.nsweep : 1;
	for (run = 0; run < nruns; run++) {
		const char *val = o.sweep_key ? o.sweep_val[run] : NULL;
		struct summary_row *row = &rows[run];
		const struct sim_node *fn;

		if (build(&m, &o, val, &e) || sim_run(&m, &res, &e)) {
			if (val && !strstr(e.msg, "--sweep"))
				fprintf(stderr, "xot-sim: %s (run with %s=%s)\n", e.msg, o.sweep_key,
					val);
			else
				fprintf(stderr, "xot-sim: %s\n", e.msg);
			sim_model_free(&m);
			ret = 1;
			goto out;
		}
		sim_report_build(&rep, &m, &res);
		if (!o.quiet) {
			if (run)
				printf("\n");
			if (val)
				printf("--- %s=%s\n", o.sweep_key, val);
			sim_report_print(stdout, &rep, &m);
		}
		if (jf) {
			fputs(run ? ",\n    " : "\n    ", jf);
			sim_report_json(jf, &rep, &m, o.sweep_key, val);
		}
		memset(row, 0, sizeof(*row));
		nrows++;
		row->value = sim_xstrdup(val ? val : m.name);
		row->iops = rep.total_iops;
		row->mbps = rep.total_mbps;
		row->err = rep.max_err;
		row->jain = rep.jain;
		row->util = rep.utilisation;
		row->throttled = res.throttled;
		if (o.focus) {
			fn = sim_report_find(&rep, o.focus);
			if (!fn) {
				fprintf(stderr, "xot-sim: --focus %s: no such entity in scenario %s (the first column of the table names them)\n",
					o.focus, m.name);
				sim_report_free(&rep);
				sim_model_free(&m);
				ret = 1;
				goto out;
			}
			row->has_focus = true;
			row->f_iops = fn->iops;
			row->f_mean = fn->lat_mean_us;
			row->f_p50 = fn->lat_p50_us;
			row->f_p99 = fn->lat_p99_us;
			row->f_max = fn->lat_max_us;
		}
		sim_report_free(&rep);
		sim_model_free(&m);
	}
	if (o.sweep_key || o.focus)
		print_summary(&o, rows, nruns);
	if (jf) {
		fputs("\n  ]\n}\n", jf);
		ret = ferror(jf) | fclose(jf);
		jf = NULL;
		if (ret || rename(tmp, o.json)) {
			fprintf(stderr, "xot-sim: %s: write error: %s\n", o.json, strerror(errno));
			ret = 1;
			goto out;
		}
		printf("wrote %s\n", o.json);
	}
	ret = fflush(stdout) ? 1 : 0;
out:
	while (nrows)
		free(rows[--nrows].value);
	if (jf) {
		fclose(jf);
		remove(tmp);
	}
	free(tmp);
	free(o.sweep_buf);
	for (i = 0; i < argc; i++)
		free(args[i]);
	free(args);
	return ret;
}
