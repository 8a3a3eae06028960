// SPDX-License-Identifier: GPL-2.0
/* An open-addressing hash table; entries are never removed. */
#include <stdlib.h>
#include <string.h>

#include "linkmap.h"

static size_t slot_of(const struct linkmap *m, uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev << 32 | dev >> 32)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17) & (m->cap - 1);
}

const char *linkmap_find(const struct linkmap *m, uint64_t dev, uint64_t ino)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = slot_of(m, dev, ino); m->slots[i].path; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].dev == dev && m->slots[i].ino == ino)
			return m->slots[i].path;
	return NULL;
}

static void insert(struct linkmap *m, struct linkmap_slot s)
{
	size_t i = slot_of(m, s.dev, s.ino);

	while (m->slots[i].path)
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = s;
	m->used++;
}

/* Keep the table at most half full so probe chains stay short. */
static int grow(struct linkmap *m)
{
	struct linkmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -1;
	}
	m->used = 0;
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].path)
			insert(m, old.slots[i]);
	free(old.slots);
	return 0;
}

int linkmap_add(struct linkmap *m, uint64_t dev, uint64_t ino,
		const char *path)
{
	struct linkmap_slot s = { dev, ino, NULL };

	if ((m->used + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	s.path = strdup(path);
	if (!s.path)
		return -1;
	insert(m, s);
	return 0;
}

void linkmap_free(struct linkmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slots[i].path);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
