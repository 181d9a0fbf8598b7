// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: parser of the elevator's scheduling tree,
 * /sys/kernel/debug/block/DEV/sched/tree (iosched-xot/elevator.c
 * xot_tree_show, iosched-xot/origin.c xot_vgroups_dump):
 *
 *   group /PATH w= vt= vclock= active_children= queues=[ active]
 *     shared tgid=0 w= vt= queued= refs= rqs=[ active]
 *     process tgid=N w= vt= queued= refs= rqs=[ active]
 *     vm DOMID w= vt= vclock= active_children= queues= refs= rqs=[ active]
 *       shared tgid=0 w= queued= rqs=
 *       guest-cgroup ID w= ... rqs=[ active]
 *         shared tgid=0 w= queued= rqs=
 *         process tgid=N w= queued= refs= rqs=
 *
 * Two spaces of indentation per level: a line at depth d belongs to the
 * last vm/guest-cgroup/group line at depth d-1. Lines this parser does not
 * know are counted in bad_lines and skipped, so new fields or line kinds do
 * not break xotctl.
 */
#include <stdlib.h>
#include <string.h>

#include "xotctl.h"

#define MAX_DEPTH 8

const char *xc_kind_name(enum xc_kind k)
{
	switch (k) {
	case XC_GROUP: return "dom0-cgroup";
	case XC_VM: return "vm";
	case XC_GCG: return "guest-cgroup";
	case XC_SHARED: return "shared";
	case XC_PROC: return "process";
	}
	return "?";
}

static struct xc_ent *add(struct xc_tree *t)
{
	if (t->nr == t->cap) {
		int cap = t->cap ? t->cap * 2 : 32;
		struct xc_ent *e = realloc(t->e, (size_t)cap * sizeof(*e));

		if (!e)
			return NULL;
		t->e = e;
		t->cap = cap;
	}
	memset(&t->e[t->nr], 0, sizeof(t->e[0]));
	return &t->e[t->nr++];
}

/* The key=value fields and flags after the line's name. */
static bool fields(char *s, struct xc_ent *e)
{
	char *tok, *save = NULL;
	bool have_w = false;

	for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		unsigned long long v;

		if (!eq) {
			if (!strcmp(tok, "active"))
				e->active = true;
			continue;	/* unknown flag */
		}
		*eq = '\0';
		if (!xc_parse_ull(eq + 1, &v)) {
			/* rqs is signed in the kernel; anything else must be a number */
			if (!strcmp(tok, "rqs") || !strcmp(tok, "w") || !strcmp(tok, "tgid") ||
			    !strcmp(tok, "queued"))
				return false;
			continue;
		}
		if (!strcmp(tok, "w")) {
			e->weight = (unsigned int)v;
			have_w = true;
		} else if (!strcmp(tok, "queued")) {
			e->queued = (unsigned int)v;
		} else if (!strcmp(tok, "rqs")) {
			e->rqs = (long long)v;
			e->has_rqs = true;
		} else if (!strcmp(tok, "tgid")) {
			e->id = v;
		}
	}
	return have_w;
}

static bool parse_line(char *line, struct xc_tree *t, int *stack)
{
	int indent = 0, depth, parent = -1;
	struct xc_ent *e;
	char *s, *name;
	size_t n;

	while (line[indent] == ' ')
		indent++;
	if (!line[indent])
		return true;	/* blank line */
	if (indent % 2)
		return false;
	depth = indent / 2;
	if (depth >= MAX_DEPTH)
		return false;
	s = line + indent;

	if (!strncmp(s, "group ", 6)) {
		char *w = strstr(s + 6, " w=");
		char *p;

		/* the path may hold blanks: the fields start at the last " w=" */
		while (w && (p = strstr(w + 1, " w=")))
			w = p;
		if (depth || !w || w == s + 6)
			return false;
		*w = '\0';
		name = strdup(s + 6);
		if (!name)
			return false;
		e = add(t);
		if (!e) {
			free(name);
			return false;
		}
		e->kind = XC_GROUP;
		e->path = name;
		e->parent = -1;
		if (!fields(w + 1, e)) {
			free(name);
			t->nr--;
			return false;
		}
		stack[0] = t->nr - 1;
		for (n = 1; n < MAX_DEPTH; n++)
			stack[n] = -1;
		return true;
	}

	if (!depth || stack[depth - 1] < 0)
		return false;
	parent = stack[depth - 1];
	e = add(t);
	if (!e)
		return false;
	e->parent = parent;
	e->depth = depth;

	if (!strncmp(s, "vm ", 3) || !strncmp(s, "guest-cgroup ", 13)) {
		char *sp;
		unsigned long long id;

		e->kind = s[0] == 'v' ? XC_VM : XC_GCG;
		s = strchr(s, ' ') + 1;
		sp = strchr(s, ' ');
		if (!sp)
			goto bad;
		*sp = '\0';
		if (!xc_parse_ull(s, &id))
			goto bad;
		e->id = id;
		/* a VM sits below a dom0 group, a guest cgroup below a VM */
		if ((e->kind == XC_VM && t->e[parent].kind != XC_GROUP) ||
		    (e->kind == XC_GCG && t->e[parent].kind != XC_VM))
			goto bad;
		if (!fields(sp + 1, e))
			goto bad;
		stack[depth] = t->nr - 1;
		for (n = (size_t)depth + 1; n < MAX_DEPTH; n++)
			stack[n] = -1;
		return true;
	}
	if (!strncmp(s, "shared ", 7) || !strncmp(s, "process ", 8)) {
		e->kind = s[0] == 's' ? XC_SHARED : XC_PROC;
		if (!fields(strchr(s, ' ') + 1, e))
			goto bad;
		/* queues print rqs= since they have counters (shares.c); n/a before */
		return true;
	}
bad:
	t->nr--;
	return false;
}

int xc_tree_parse(const char *text, struct xc_tree *t)
{
	int stack[MAX_DEPTH];
	char *copy, *line, *save = NULL;
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < MAX_DEPTH; i++)
		stack[i] = -1;
	copy = strdup(text);
	if (!copy)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!parse_line(line, t, stack)) {
			t->bad_lines++;
			/* what follows a bad vm/group line has no known parent */
		}
	}
	free(copy);
	return 0;
}

void xc_tree_free(struct xc_tree *t)
{
	int i;

	for (i = 0; i < t->nr; i++)
		free(t->e[i].path);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

void xc_ent_key(const struct xc_tree *t, int i, char *buf, size_t len)
{
	const struct xc_ent *e = &t->e[i];
	size_t n;

	if (e->kind == XC_GROUP) {
		snprintf(buf, len, "%s", e->path);
		return;
	}
	xc_ent_key(t, e->parent, buf, len);
	n = strlen(buf);
	if (n >= len)
		return;
	switch (e->kind) {
	case XC_VM:
		snprintf(buf + n, len - n, "|vm%llu", e->id);
		break;
	case XC_GCG:
		snprintf(buf + n, len - n, "|cg%llu", e->id);
		break;
	case XC_SHARED:
		snprintf(buf + n, len - n, "|shared");
		break;
	default:
		snprintf(buf + n, len - n, "|p%llu", e->id);
		break;
	}
}

int xc_tree_find_group(const struct xc_tree *t, const char *path)
{
	int i;

	for (i = 0; i < t->nr; i++)
		if (t->e[i].kind == XC_GROUP && !strcmp(t->e[i].path, path))
			return i;
	return -1;
}
