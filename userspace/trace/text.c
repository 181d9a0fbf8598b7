// SPDX-License-Identifier: GPL-2.0
/* xot-trace: the text report (report.h). */
#include <inttypes.h>

#include "report.h"

static const char *const level_titles[XT_NLEVELS] = {
	"VMs and dom0 cgroups",
	"guest cgroups (vmN/-: a VM's own queue) and dom0 cgroups",
	"processes (per-process queues; shared: async I/O and kernel threads)",
};

#define WIN_COLS	6	/* entities shown in the per-window table */

static void pct(FILE *out, const struct xt_pct *p)
{
	if (!p->n)
		fprintf(out, "  %23s", "-");
	else
		fprintf(out, "  %7.2f/%7.2f/%7.2f", p->p50 / 1000, p->p90 / 1000, p->p99 / 1000);
}

static void jain(FILE *out, double j)
{
	if (j < 0)
		fprintf(out, "    -");
	else
		fprintf(out, "%5.3f", j);
}

static void level_table(FILE *out, const struct xt_report *r, int l)
{
	const struct xt_levelres *L = &r->lv[l];
	size_t i;
	int m;

	fprintf(out, "\nlevel %s: %s\n  Jain's index of %s:", xt_level_names[l],
		level_titles[l], r->weighted ? "achieved/target" : "shares (no weights in the trace)");
	for (m = 0; m < XT_NMETRICS; m++) {
		fprintf(out, " %s ", xt_metric_names[m]);
		jain(out, L->jain[m]);
	}
	fprintf(out, "\n  %-32s %6s %7s %7s %7s %7s %8s %9s  %23s  %23s\n", "entity", "weight",
		"target", "rqs%", "bytes%", "time%", "rqs", "MiB", "queue->complete ms",
		"issue->complete ms");
	fprintf(out, "  %-32s %6s %7s %7s %7s %7s %8s %9s  %23s  %23s\n", "", "", "", "", "",
		"", "", "", "p50/p90/p99", "p50/p90/p99");
	for (i = 0; i < L->n; i++) {
		const struct xt_ent *e = &L->e[i];

		fprintf(out, "  %-32s ", e->name);
		if (e->weight)
			fprintf(out, "%6u ", e->weight);
		else
			fprintf(out, "%6s ", "-");
		if (e->target >= 0)
			fprintf(out, "%6.1f%% ", 100 * e->target);
		else
			fprintf(out, "%7s ", "-");
		for (m = 0; m < XT_NMETRICS; m++)
			fprintf(out, "%6.1f%% ", 100 * e->share[m]);
		fprintf(out, "%8" PRIu64 " %9.1f", e->v[XT_M_RQS],
			(double)e->v[XT_M_BYTES] / (1 << 20));
		pct(out, &e->q2c);
		pct(out, &e->d2c);
		fputc('\n', out);
	}
}

static void window_table(FILE *out, const struct xt_report *r, enum xt_metric m, int l)
{
	const struct xt_levelres *L = &r->lv[l];
	size_t i, w, ncol = L->n < WIN_COLS ? L->n : WIN_COLS;

	fprintf(out, "\n%s share per %.3g s window, level %s (%%, target in brackets)%s\n",
		m == XT_M_TIME ? "device-time" : m == XT_M_BYTES ? "byte" : "request",
		r->window_s, xt_level_names[l],
		L->n > ncol ? "; first entities only, see --json" : "");
	fprintf(out, "  %-15s", "window s");
	for (i = 0; i < ncol; i++)
		fprintf(out, " %-15.15s", L->e[i].name);
	fprintf(out, " %5s\n", "Jain");
	for (w = 0; w < r->nwin; w++) {
		uint64_t tot = r->wtot[w * XT_NMETRICS + m];
		char span[32];

		snprintf(span, sizeof(span), "%.3g-%.3g", w * r->window_s, (w + 1) * r->window_s);
		fprintf(out, "  %-15s", span);
		for (i = 0; i < ncol; i++) {
			const struct xt_cell *c = &L->cell[w * L->n + i];
			char buf[32];

			if (!tot)
				snprintf(buf, sizeof(buf), "    -");
			else if (c->target >= 0)
				snprintf(buf, sizeof(buf), "%5.1f [%4.1f]", 100 * xt_share(c->v[m], tot),
					 100 * c->target);
			else
				snprintf(buf, sizeof(buf), "%5.1f", 100 * xt_share(c->v[m], tot));
			fprintf(out, " %-15s", buf);
		}
		fputc(' ', out);
		jain(out, L->wjain[w * XT_NMETRICS + m]);
		fputc('\n', out);
	}
}

void xt_write_text(FILE *out, const struct xt_report *r, enum xt_metric m, enum xt_level wl)
{
	const struct xt_stats *s = &r->a->st;
	size_t i;
	int l;

	fprintf(out, "xot-trace: %.3f s of trace, %" PRIu64 " records, device%s",
		(double)(s->tend - s->t0) / 1e9, s->records, r->a->ndevs == 1 ? "" : "s");
	for (i = 0; i < r->a->ndevs; i++)
		fprintf(out, " %u:%u", XT_MAJOR(r->a->devs[i]), XT_MINOR(r->a->devs[i]));
	if (!r->a->ndevs)
		fprintf(out, " (none)");
	fprintf(out, "\nrequests: %" PRIu64 " completed, %" PRIu64 " attributed by xot dispatch "
		"messages, %" PRIu64 " by pid (no message)\n", s->completed, s->by_msg, s->by_pid);
	for (l = 0; l < XT_NLEVELS; l++)
		level_table(out, r, l);
	window_table(out, r, m, wl);
}
