// SPDX-License-Identifier: GPL-2.0
/* xot-trace: the JSON report (report.h; the format is in README.md). */
#include <inttypes.h>

#include "report.h"
#include "../common/json.h"


/* a number, or null when negative (none) */
static void jnum(FILE *out, double x)
{
	if (x < 0)
		fprintf(out, "null");
	else
		fprintf(out, "%.6f", x);
}

static void jpct(FILE *out, const char *key, const struct xt_pct *p)
{
	fprintf(out, "\"%s\": ", key);
	if (!p->n)
		fprintf(out, "null");
	else
		fprintf(out, "{\"n\": %d, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f}",
			p->n, p->p50, p->p90, p->p99);
}

static void entity(FILE *out, const struct xt_report *r, int l, const struct xt_ent *e)
{
	const struct xt_who *w = &e->who;
	int m;

	fprintf(out, "        {\"name\": ");
	xot_json_str(out, e->name);
	fprintf(out, ", \"kind\": \"%s\"", e->kind);
	if (l > 0) {
		fprintf(out, ", \"parent\": ");
		xot_json_str(out, r->lv[l - 1].e[e->parent].name);
	}
	if (w->src == XT_SRC_MSG && w->guest) {
		fprintf(out, ", \"domid\": %" PRIu64, w->domid);
		if (l > 0)
			fprintf(out, ", \"guest_cgroup\": %" PRIu64, w->gcg);
	}
	if (w->src == XT_SRC_MSG && !w->guest && r->cgroup_ids && w->has_cgid)
		fprintf(out, ", \"cgroup_id\": %" PRIu64, w->cgid);
	if (l == XT_L_PROC) {
		if (w->src == XT_SRC_MSG)
			fprintf(out, ", \"tgid\": %u", w->tgid);
		else
			fprintf(out, ", \"pid\": %u", w->pid);
	}
	fprintf(out, ", \"weight\": ");
	if (e->weight)
		fprintf(out, "%u", e->weight);
	else
		fprintf(out, "null");
	fprintf(out, ", \"target\": ");
	jnum(out, e->target);
	fprintf(out, ",\n         \"rqs\": %" PRIu64 ", \"bytes\": %" PRIu64
		", \"device_ns\": %" PRIu64 ", \"share\": {",
		e->v[XT_M_RQS], e->v[XT_M_BYTES], e->v[XT_M_TIME]);
	for (m = 0; m < XT_NMETRICS; m++)
		fprintf(out, "%s\"%s\": %.6f", m ? ", " : "", xt_metric_names[m], e->share[m]);
	fprintf(out, "},\n         \"latency_us\": {");
	jpct(out, "queue_to_complete", &e->q2c);
	fprintf(out, ", ");
	jpct(out, "issue_to_complete", &e->d2c);
	fprintf(out, "}}");
}

static void jain(FILE *out, const double *j)
{
	int m;

	fputc('{', out);
	for (m = 0; m < XT_NMETRICS; m++) {
		fprintf(out, "%s\"%s\": ", m ? ", " : "", xt_metric_names[m]);
		jnum(out, j[m]);
	}
	fputc('}', out);
}

static void windows(FILE *out, const struct xt_report *r, int l)
{
	const struct xt_levelres *L = &r->lv[l];
	size_t w, i;
	int m;

	fprintf(out, "      \"windows\": [");
	for (w = 0; w < r->nwin; w++) {
		int first = 1;

		fprintf(out, "%s\n        {\"start_s\": %.6f, \"jain\": ", w ? "," : "",
			w * r->window_s);
		jain(out, &L->wjain[w * XT_NMETRICS]);
		fprintf(out, ", \"entities\": {");
		for (i = 0; i < L->n; i++) {
			const struct xt_cell *c = &L->cell[w * L->n + i];

			if (!c->v[XT_M_RQS])
				continue;
			fprintf(out, "%s\n          ", first ? "" : ",");
			first = 0;
			xot_json_str(out, L->e[i].name);
			fprintf(out, ": {\"rqs\": %" PRIu64 ", \"bytes\": %" PRIu64
				", \"device_ns\": %" PRIu64 ", \"share\": {",
				c->v[XT_M_RQS], c->v[XT_M_BYTES], c->v[XT_M_TIME]);
			for (m = 0; m < XT_NMETRICS; m++)
				fprintf(out, "%s\"%s\": %.6f", m ? ", " : "", xt_metric_names[m],
					xt_share(c->v[m], r->wtot[w * XT_NMETRICS + m]));
			fprintf(out, "}, \"target\": ");
			jnum(out, c->target);
			fputc('}', out);
		}
		fprintf(out, "}}");
	}
	fprintf(out, "\n      ]");
}

void xt_write_json(FILE *out, const struct xt_report *r)
{
	const struct xt_stats *s = &r->a->st;
	size_t i;
	int l;

	fprintf(out, "{\n  \"tool\": \"xot-trace\",\n  \"format\": 1,\n");
	fprintf(out, "  \"window_s\": %.6f,\n  \"windows\": %zu,\n", r->window_s, r->nwin);
	fprintf(out, "  \"duration_s\": %.6f,\n", (double)(s->tend - s->t0) / 1e9);
	fprintf(out, "  \"devices\": [");
	for (i = 0; i < r->a->ndevs; i++)
		fprintf(out, "%s\"%u:%u\"", i ? ", " : "", XT_MAJOR(r->a->devs[i]),
			XT_MINOR(r->a->devs[i]));
	fprintf(out, "],\n  \"cgroup_ids\": %s,\n", r->cgroup_ids ? "true" : "false");
	fprintf(out, "  \"records\": {\"total\": %" PRIu64 ", \"notes\": %" PRIu64
		", \"xot_messages\": %" PRIu64 ", \"other_messages\": %" PRIu64
		", \"orphan_messages\": %" PRIu64 ", \"queued\": %" PRIu64
		", \"inserted\": %" PRIu64 ", \"issued\": %" PRIu64
		", \"reissued\": %" PRIu64 ", \"bypassed\": %" PRIu64
		", \"other_device\": %" PRIu64 "},\n",
		s->records, s->notes, s->xot_msgs, s->other_msgs, s->orphan_msgs, s->queued,
		s->inserted, s->issued, s->reissued, s->bypassed, s->skipped_dev);
	fprintf(out, "  \"requests\": {\"completed\": %" PRIu64 ", \"by_message\": %" PRIu64
		", \"by_pid\": %" PRIu64 ", \"message_from_other_cpu\": %" PRIu64
		", \"message_reordered\": %" PRIu64
		", \"pid_checked\": %" PRIu64 ", \"pid_differs\": %" PRIu64
		", \"unmatched_completions\": %" PRIu64 ", \"in_flight_at_end\": %" PRIu64
		", \"errors\": %" PRIu64 "},\n",
		s->completed, s->by_msg, s->by_pid, s->cross_cpu, s->reordered, s->pid_checked,
		s->pid_differs,
		s->unmatched_completions,
		s->in_flight_at_end, s->errors);
	fprintf(out, "  \"totals\": {\"rqs\": %" PRIu64 ", \"bytes\": %" PRIu64
		", \"device_ns\": %" PRIu64 "},\n",
		r->tot[XT_M_RQS], r->tot[XT_M_BYTES], r->tot[XT_M_TIME]);
	fprintf(out, "  \"levels\": [");
	for (l = 0; l < XT_NLEVELS; l++) {
		const struct xt_levelres *L = &r->lv[l];

		fprintf(out, "%s\n    {\"level\": \"%s\", \"jain\": ", l ? "," : "",
			xt_level_names[l]);
		jain(out, L->jain);
		fprintf(out, ", \"jain_of\": \"%s\",\n      \"entities\": [",
			r->weighted ? "achieved/target" : "share");
		for (i = 0; i < L->n; i++) {
			fprintf(out, "%s\n", i ? "," : "");
			entity(out, r, l, &L->e[i]);
		}
		fprintf(out, "\n      ],\n");
		windows(out, r, l);
		fprintf(out, "\n    }");
	}
	fprintf(out, "\n  ]\n}\n");
}
