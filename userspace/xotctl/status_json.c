// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl status --json: the same facts as the tables, format 1 (README
 * "xotctl"); null where a value is not known.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xot/wire.h>

#include "status.h"

static void json_shares(struct jw *w, const struct devshares *ds, const struct blkback *bb)
{
	const struct xc_tree *t = &ds->b->tree;
	char key[512], label[200];
	int i;

	jw_bool(w, "tree", ds->b->have_tree);
	if (!ds->b->have_tree) {
		jw_str(w, "tree_error", strerror(ds->b->tree_err));
		return;
	}
	jw_num(w, "interval_s", ds->s ? ds->secs : 0);
	if (ds->s)
		jw_int(w, "total_rqs", ds->total);
	else
		jw_null(w, "total_rqs");
	jw_bool(w, "counts_complete", ds->s && ds->complete);
	jw_int(w, "tree_bad_lines", t->bad_lines);
	jw_arr(w, "entities");
	for (i = 0; i < t->nr; i++) {
		const struct xc_ent *e = &t->e[i];
		const struct xc_share *s = ds->s ? &ds->s[i] : NULL;
		int p = status_tparent(ds, i);

		jw_obj(w, NULL);
		xc_ent_key(t, i, key, sizeof(key));
		jw_str(w, "key", key);
		jw_str(w, "kind", xc_kind_name(e->kind));
		status_ent_label(e, bb, label, sizeof(label));
		jw_str(w, "label", label);
		if (e->kind == XC_GROUP)
			jw_str(w, "path", e->path);
		else
			jw_int(w, "id", (long long)e->id);
		if (e->kind == XC_VM)
			jw_str(w, "vm", status_vm_name(bb, e->id));
		if (p >= 0) {
			xc_ent_key(t, p, key, sizeof(key));
			jw_str(w, "parent", key);
		} else {
			jw_null(w, "parent");
		}
		jw_int(w, "weight", e->weight);
		jw_int(w, "queued", e->queued);
		jw_bool(w, "active", e->active);
		if (s && s->known) {
			jw_int(w, "rqs", s->delta);
			jw_int(w, "rqs_subtree", s->subtree);
			jw_num(w, "rqs_per_s", ds->secs > 0 ? (double)s->subtree / ds->secs : NAN);
		} else {
			jw_null(w, "rqs");
			jw_null(w, "rqs_subtree");
			jw_null(w, "rqs_per_s");
		}
		if (s && s->has_share) {
			jw_num(w, "share_of_parent", s->of_parent);
			jw_num(w, "share_of_device", s->of_device);
		} else {
			jw_null(w, "share_of_parent");
			jw_null(w, "share_of_device");
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void status_json(const struct snap *a, const struct snap *b, const struct blkback *bb, bool pretty)
{
	struct tunable t[32];
	struct jw w;
	int i, j, n;

	jw_init(&w, stdout, pretty);
	jw_obj(&w, NULL);
	jw_int(&w, "format", 1);
	jw_int(&w, "time", (long long)time(NULL));
	jw_arr(&w, "devices");
	for (i = 0; i < b->nr; i++) {
		struct devshares ds;
		char *st = status_dev_stats(b->d[i].dev.name);

		jw_obj(&w, NULL);
		jw_str(&w, "name", b->d[i].dev.name);
		jw_str(&w, "dev", b->d[i].dev.majmin);
		jw_obj(&w, "tunables");
		n = status_tunables(b->d[i].dev.name, t, 32);
		for (j = 0; j < n; j++) {
			unsigned long long v;

			if (xc_parse_ull(t[j].value, &v))
				jw_int(&w, t[j].name, (long long)v);
			else
				jw_str(&w, t[j].name, t[j].value);
		}
		jw_obj_end(&w);
		if (st) {
			char *save = NULL, *l;

			jw_obj(&w, "stats");
			for (l = strtok_r(st, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
				char *sp = strchr(l, ' ');
				long long v;

				if (!sp)
					continue;
				*sp = '\0';
				v = strtoll(sp + 1, NULL, 10);
				jw_int(&w, l, v);
			}
			jw_obj_end(&w);
			free(st);
		} else {
			jw_null(&w, "stats");
		}
		status_shares_of(a, &b->d[i], b->t - (a ? a->t : b->t), &ds);
		json_shares(&w, &ds, bb);
		status_devshares_free(&ds);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_obj(&w, "blkback");
	jw_bool(&w, "dom0", bb->dom0);
	jw_bool(&w, "loaded", bb->loaded);
	jw_str(&w, "vm_weights", bb->loaded ? (bb->weights ? bb->weights : "") : NULL);
	if (bb->vbds_err)
		jw_str(&w, "vbds_error", strerror(bb->vbds_err));
	jw_arr(&w, "vbds");
	for (i = 0; i < bb->vbds.nr; i++) {
		const struct xc_vbd *v = &bb->vbds.v[i];

		jw_obj(&w, NULL);
		jw_int(&w, "domid", v->domid);
		jw_str(&w, "vm", strcmp(v->vm, "-") ? v->vm : NULL);
		jw_int(&w, "devid", v->devid);
		jw_int(&w, "vm_weight", v->vm_weight);
		jw_str(&w, "channel", v->up ? "up" : "down");
		if (v->up)
			jw_int(&w, "version", XOT_WIRE_VERSION);
		else
			jw_null(&w, "version");
		jw_int(&w, "rings", v->rings);
		jw_int(&w, "order", v->order);
		jw_int(&w, "ups", (long long)v->ups);
		jw_int(&w, "errors", (long long)v->errors);
		jw_int(&w, "matched", (long long)v->matched);
		jw_int(&w, "continued", (long long)v->continued);
		jw_int(&w, "unmatched", (long long)v->unmatched);
		jw_int(&w, "rejected", (long long)v->rejected);
		jw_int(&w, "dropped", (long long)v->dropped);
		jw_int(&w, "bios", (long long)v->bios);
		jw_obj(&w, "rejected_by_reason");
		for (j = 0; j < v->nr_reasons; j++)
			jw_int(&w, v->reason[j].name, (long long)v->reason[j].n);
		jw_obj_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);

	jw_obj(&w, "tagger");
	jw_bool(&w, "loaded", bb->tagger);
	jw_obj(&w, "debugfs");
	for (j = 0; j < bb->nr_tagger; j++)
		jw_str(&w, bb->tagger_files[j].name, bb->tagger_files[j].text);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

