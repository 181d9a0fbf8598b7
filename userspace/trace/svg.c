// SPDX-License-Identifier: GPL-2.0
/*
 * xot-trace: the SVG plot (report.h), written by hand: share of each
 * entity of one level per time window, solid lines; its target share,
 * dashed in the same colour; axes, grid, legend with weights, overall
 * shares and targets, title with Jain's index.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define W	960
#define H	540
#define ML	70	/* margins around the plot area */
#define MR	300
#define MT	64
#define MB	56
#define MAX_LINES	10

static const char *const colors[MAX_LINES] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* A "nice" tick step (1, 2, 5 x 10^k) giving about @n ticks over @span. */
static double nice_step(double span, int n)
{
	double raw = span / n, p = pow(10, floor(log10(raw))), f = raw / p;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static const struct xt_report *sort_r;
static int sort_l, sort_m;

static int by_share(const void *a, const void *b)
{
	const struct xt_ent *x = &sort_r->lv[sort_l].e[*(const int *)a];
	const struct xt_ent *y = &sort_r->lv[sort_l].e[*(const int *)b];

	if (x->share[sort_m] != y->share[sort_m])
		return x->share[sort_m] < y->share[sort_m] ? 1 : -1;
	return strverscmp(x->name, y->name);
}

int xt_write_svg(FILE *out, const struct xt_report *r, enum xt_metric m, enum xt_level l,
		 const char *title)
{
	const struct xt_levelres *L = &r->lv[l];
	const double pw = W - ML - MR, ph = H - MT - MB;
	double tmax = r->nwin * r->window_s, ymax = 0, step;
	size_t i, w, nl = L->n < MAX_LINES ? L->n : MAX_LINES;
	int *ord = malloc((L->n + 1) * sizeof(int)), k;
	static const char *const what[XT_NMETRICS] = {
		"request", "throughput (bytes)", "device-time",
	};

	if (!ord)
		return -1;
	for (i = 0; i < L->n; i++)
		ord[i] = (int)i;
	sort_r = r;
	sort_l = l;
	sort_m = m;
	qsort(ord, L->n, sizeof(int), by_share);

	/* y range: the largest share or target shown, rounded up */
	for (k = 0; k < (int)nl; k++)
		for (w = 0; w < r->nwin; w++) {
			const struct xt_cell *c = &L->cell[w * L->n + ord[k]];
			double s = xt_share(c->v[m], r->wtot[w * XT_NMETRICS + m]);

			if (s > ymax)
				ymax = s;
			if (c->target > ymax)
				ymax = c->target;
		}
	ymax = ymax <= 0 ? 1 : fmin(1, ceil(ymax * 1.1 * 10) / 10);

#define X(t)	(ML + (t) / tmax * pw)
#define Y(s)	(MT + ph - (s) / ymax * ph)
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H, W, H);
	fprintf(out, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">", ML);
	if (title) {
		esc(out, title);
	} else {
		fprintf(out, "%c%s share per %g s window, level %s",
			what[m][0] - 'a' + 'A', what[m] + 1, r->window_s, xt_level_names[l]);
	}
	fprintf(out, "</text>\n<text x=\"%d\" y=\"44\" fill=\"#555\">", ML);
	if (L->jain[m] >= 0)
		fprintf(out, "Jain's index of %s: %.3f overall. ",
			r->weighted ? "achieved/target" : "shares", L->jain[m]);
	fprintf(out, "%s</text>\n", r->weighted ? "Solid: achieved share; dashed: target share "
		"from the weights." : "No xot weights in the trace: achieved shares only.");

	/* grid and axes */
	step = nice_step(ymax, 5);
	for (double y = 0; y <= ymax + 1e-9; y += step)
		fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g%%</text>\n",
			ML, Y(y), ML + pw, Y(y), ML - 6, Y(y) + 4, round(y * 1000) / 10);
	step = nice_step(tmax, 8);
	for (double t = 0; t <= tmax + 1e-9; t += step)
		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
			X(t), MT, X(t), MT + ph + 5, X(t), MT + ph + 18, t);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
		"stroke=\"#333\"/>\n", ML, MT, pw, ph);
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">time (s), "
		"one point per window (at its middle)</text>\n", ML + pw / 2, H - 14);
	fprintf(out, "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">"
		"share of %s</text>\n", MT + ph / 2, what[m]);

	/* lines: targets dashed, shares solid with markers */
	for (k = 0; k < (int)nl; k++) {
		const char *col = colors[k];
		int e = ord[k], pen = 0;

		fprintf(out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
			"stroke-dasharray=\"6 4\" d=\"", col);
		for (w = 0; w < r->nwin; w++) {
			const struct xt_cell *c = &L->cell[w * L->n + e];
			double t0 = w * r->window_s, t1 = (w + 1) * r->window_s;

			if (c->target < 0) {
				pen = 0;
				continue;
			}
			/* a step per window: the target holds over the whole window */
			fprintf(out, "%c%.1f %.1f L%.1f %.1f ", pen ? 'L' : 'M', X(t0), Y(c->target),
				X(t1), Y(c->target));
			pen = 1;
		}
		fprintf(out, "\"/>\n<path fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
			"stroke-linejoin=\"round\" d=\"", col);
		pen = 0;
		for (w = 0; w < r->nwin; w++) {
			const struct xt_cell *c = &L->cell[w * L->n + e];
			uint64_t tot = r->wtot[w * XT_NMETRICS + m];

			if (!tot) {
				pen = 0;
				continue;
			}
			fprintf(out, "%c%.1f %.1f ", pen ? 'L' : 'M', X((w + 0.5) * r->window_s),
				Y(xt_share(c->v[m], tot)));
			pen = 1;
		}
		fprintf(out, "\"/>\n");
		if (r->nwin <= 60)
			for (w = 0; w < r->nwin; w++) {
				const struct xt_cell *c = &L->cell[w * L->n + e];
				uint64_t tot = r->wtot[w * XT_NMETRICS + m];

				if (tot)
					fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
						X((w + 0.5) * r->window_s),
						Y(xt_share(c->v[m], tot)), col);
			}
	}

	/* legend */
	fprintf(out, "<text x=\"%.0f\" y=\"%d\" font-weight=\"bold\">entity  (weight: "
		"got / target overall)</text>\n", ML + pw + 16, MT + 4);
	for (k = 0; k < (int)nl; k++) {
		const struct xt_ent *e = &L->e[ord[k]];
		double y = MT + 24 + k * 22;

		fprintf(out, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"3\"/>", ML + pw + 16, y - 4, ML + pw + 40, y - 4, colors[k]);
		fprintf(out, "<text x=\"%.0f\" y=\"%.1f\">", ML + pw + 46, y);
		esc(out, e->name);
		if (e->weight)
			fprintf(out, " (w %u: ", e->weight);
		else
			fprintf(out, " (");
		fprintf(out, "%.1f%%", 100 * e->share[m]);
		if (e->target >= 0)
			fprintf(out, " / %.1f%%", 100 * e->target);
		fprintf(out, ")</text>\n");
	}
	if (L->n > nl)
		fprintf(out, "<text x=\"%.0f\" y=\"%.1f\" fill=\"#555\">%zu more not shown "
			"(see --json)</text>\n", ML + pw + 16, MT + 24 + nl * 22.0, L->n - nl);
	fprintf(out, "</svg>\n");
#undef X
#undef Y
	free(ord);
	return ferror(out) ? -1 : 0;
}
