/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-trace: a multimap from (u32, u64) keys to fixed-size values (map.c).
 * Entries with equal keys are kept in insertion order: xt_map_find()
 * returns the oldest one that @pred accepts.
 */
#ifndef _XOT_TRACE_MAP_H
#define _XOT_TRACE_MAP_H

#include <stddef.h>
#include <stdint.h>

struct xt_node {
	struct xt_node *next;
	uint64_t seq;		/* insertion order */
	uint32_t k1;
	uint64_t k2;
	_Alignas(8) unsigned char val[];
};

struct xt_map {
	struct xt_node **b;
	size_t nb, n, val_size;
	uint64_t seq;
};

void xt_map_init(struct xt_map *m, size_t val_size);
/* A new entry's value (zeroed), or NULL when out of memory. */
void *xt_map_add(struct xt_map *m, uint32_t k1, uint64_t k2);
/* The oldest entry of the key whose value @pred accepts (NULL: any). */
void *xt_map_find(const struct xt_map *m, uint32_t k1, uint64_t k2,
		  int (*pred)(const void *val, const void *arg), const void *arg);
/* Remove the entry whose value is @val (from xt_map_add/find). */
void xt_map_del(struct xt_map *m, void *val);
/* Remove every entry for which @pred is true; returns how many. */
size_t xt_map_purge(struct xt_map *m, int (*pred)(const void *val, const void *arg),
		    const void *arg);
void xt_map_free(struct xt_map *m);

#endif /* _XOT_TRACE_MAP_H */
