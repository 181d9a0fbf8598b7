// SPDX-License-Identifier: GPL-2.0
/* xot-trace: the (u32, u64)-keyed multimap (map.h). */
#include <stdlib.h>
#include <string.h>

#include "map.h"

static size_t bucket(const struct xt_map *m, uint32_t k1, uint64_t k2)
{
	uint64_t h = (k2 ^ ((uint64_t)k1 << 40) ^ k1) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (m->nb - 1);
}

void xt_map_init(struct xt_map *m, size_t val_size)
{
	memset(m, 0, sizeof(*m));
	m->val_size = val_size;
}

static int grow(struct xt_map *m)
{
	size_t nb = m->nb ? m->nb * 2 : 1024, i;
	struct xt_node **b = calloc(nb, sizeof(*b));

	if (!b)
		return -1;
	for (i = 0; i < m->nb; i++) {
		struct xt_node *n = m->b[i], *next;

		for (; n; n = next) {
			size_t j;

			next = n->next;
			j = (size_t)(((n->k2 ^ ((uint64_t)n->k1 << 40) ^ n->k1) *
				      0x9e3779b97f4a7c15ull) >> 32) & (nb - 1);
			n->next = b[j];
			b[j] = n;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

void *xt_map_add(struct xt_map *m, uint32_t k1, uint64_t k2)
{
	struct xt_node *n;
	size_t i;

	if ((m->n + 1 > m->nb * 2 || !m->nb) && grow(m))
		return NULL;
	n = calloc(1, sizeof(*n) + m->val_size);
	if (!n)
		return NULL;
	n->k1 = k1;
	n->k2 = k2;
	n->seq = ++m->seq;
	i = bucket(m, k1, k2);
	n->next = m->b[i];
	m->b[i] = n;
	m->n++;
	return n->val;
}

void *xt_map_find(const struct xt_map *m, uint32_t k1, uint64_t k2,
		  int (*pred)(const void *val, const void *arg), const void *arg)
{
	struct xt_node *n, *best = NULL;

	if (!m->nb)
		return NULL;
	for (n = m->b[bucket(m, k1, k2)]; n; n = n->next)
		if (n->k1 == k1 && n->k2 == k2 && (!pred || pred(n->val, arg)) &&
		    (!best || n->seq < best->seq))
			best = n;
	return best ? best->val : NULL;
}

void xt_map_del(struct xt_map *m, void *val)
{
	struct xt_node *node = (struct xt_node *)((unsigned char *)val -
						  offsetof(struct xt_node, val));
	struct xt_node **p = &m->b[bucket(m, node->k1, node->k2)];

	for (; *p; p = &(*p)->next) {
		if (*p == node) {
			*p = node->next;
			free(node);
			m->n--;
			return;
		}
	}
}

size_t xt_map_purge(struct xt_map *m, int (*pred)(const void *val, const void *arg),
		    const void *arg)
{
	size_t i, gone = 0;

	for (i = 0; i < m->nb; i++) {
		struct xt_node **p = &m->b[i];

		while (*p) {
			struct xt_node *n = *p;

			if (pred(n->val, arg)) {
				*p = n->next;
				free(n);
				m->n--;
				gone++;
			} else {
				p = &n->next;
			}
		}
	}
	return gone;
}

void xt_map_free(struct xt_map *m)
{
	size_t i;

	for (i = 0; i < m->nb; i++) {
		struct xt_node *n = m->b[i], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(m->b);
	memset(m, 0, sizeof(*m));
}
