// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's ACL xattr: a little-endian u32 version (2), then one
 * { u16 tag, u16 perm, u32 id } per entry, sorted by tag and then id, with
 * id 0xffffffff for the entries that name no user or group.
 */
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

#define XATTR_VERSION	2
#define NO_ID		0xffffffffu

enum {
	TAG_USER_OBJ	= 0x01,
	TAG_USER	= 0x02,
	TAG_GROUP_OBJ	= 0x04,
	TAG_GROUP	= 0x08,
	TAG_MASK	= 0x10,
	TAG_OTHER	= 0x20,
};

struct kacl_entry {
	uint16_t tag, perm;
	uint32_t id;
};

static const struct {
	uint16_t kernel;
	int archive;
} tags[] = {
	{ TAG_USER_OBJ,  ARCHIVE_ENTRY_ACL_USER_OBJ },
	{ TAG_USER,      ARCHIVE_ENTRY_ACL_USER },
	{ TAG_GROUP_OBJ, ARCHIVE_ENTRY_ACL_GROUP_OBJ },
	{ TAG_GROUP,     ARCHIVE_ENTRY_ACL_GROUP },
	{ TAG_MASK,      ARCHIVE_ENTRY_ACL_MASK },
	{ TAG_OTHER,     ARCHIVE_ENTRY_ACL_OTHER },
};
#define NTAGS	(sizeof(tags) / sizeof(tags[0]))

/* rwx: the kernel and libarchive use the same three bits. */
#define PERM_BITS	(ARCHIVE_ENTRY_ACL_READ | ARCHIVE_ENTRY_ACL_WRITE | \
			 ARCHIVE_ENTRY_ACL_EXECUTE)

static uint32_t get_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

int acl_xattr_to_entry(struct archive_entry *e, int type,
		       const void *value, size_t size)
{
	const unsigned char *p = value;
	size_t i, k;

	if (size < 4 || (size - 4) % 8 || get_le32(p) != XATTR_VERSION)
		return -1;
	for (i = 4; i < size; i += 8) {
		uint16_t tag = p[i] | p[i + 1] << 8;
		uint16_t perm = p[i + 2] | p[i + 3] << 8;
		uint32_t id = get_le32(p + i + 4);
		int named;

		for (k = 0; k < NTAGS && tags[k].kernel != tag; k++)
			;
		if (k == NTAGS)
			return -1;
		named = tag == TAG_USER || tag == TAG_GROUP;
		if (archive_entry_acl_add_entry(e, type, perm & PERM_BITS,
						tags[k].archive,
						named ? (int)id : -1,
						NULL) != ARCHIVE_OK)
			return -1;
	}
	return 0;
}

static int resolve(const struct owners *o, int user, const char *name,
		   uint32_t *id)
{
	unsigned int v;

	if (name && !owners_id(user ? &o->users : &o->groups, name, &v)) {
		*id = v;
		return 0;
	}
	/* The archive's creator named a user of its host: ask ours too. */
	if (name && user) {
		struct passwd *pw = getpwnam(name);

		if (pw) {
			*id = pw->pw_uid;
			return 0;
		}
	} else if (name) {
		struct group *gr = getgrnam(name);

		if (gr) {
			*id = gr->gr_gid;
			return 0;
		}
	}
	return -1;
}

static int by_tag_then_id(const void *a, const void *b)
{
	const struct kacl_entry *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

long acl_entry_to_xattr(struct archive_entry *e, int type,
			const struct owners *o, void *buf, size_t bufsize,
			const char **bad)
{
	static struct kacl_entry v[ACL_MAX_ENTRIES + 1];
	unsigned char *out = buf;
	int etype, permset, tag, qual, has_mask = 0, named = 0, trivial;
	uint16_t group_class = 0;
	const char *name;
	size_t n = 0, i, k;

	*bad = NULL;
	/* An access ACL of three entries is just the mode. */
	trivial = type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS ? 3 : 0;
	if (archive_entry_acl_reset(e, type) <= trivial)
		return 0;
	while (archive_entry_acl_next(e, type, &etype, &permset, &tag, &qual,
				      &name) == ARCHIVE_OK) {
		if (n == ACL_MAX_ENTRIES)
			return -1;
		for (k = 0; k < NTAGS && tags[k].archive != tag; k++)
			;
		if (k == NTAGS)
			continue;	/* NFSv4's "everyone@": not POSIX */
		v[n].tag = tags[k].kernel;
		v[n].perm = permset & PERM_BITS;
		v[n].id = NO_ID;
		if (tag == ARCHIVE_ENTRY_ACL_USER ||
		    tag == ARCHIVE_ENTRY_ACL_GROUP) {
			named = 1;
			if (qual >= 0) {
				v[n].id = (uint32_t)qual;
			} else if (resolve(o, tag == ARCHIVE_ENTRY_ACL_USER,
					   name, &v[n].id) < 0) {
				*bad = name ? name : "(no name)";
				return -1;
			}
		}
		if (tag == ARCHIVE_ENTRY_ACL_MASK)
			has_mask = 1;
		if (tag != ARCHIVE_ENTRY_ACL_USER_OBJ &&
		    tag != ARCHIVE_ENTRY_ACL_OTHER)
			group_class |= v[n].perm;
		n++;
	}
	/* The kernel wants a mask beside named entries; setfacl makes one so. */
	if (named && !has_mask) {
		v[n].tag = TAG_MASK;
		v[n].perm = group_class;
		v[n].id = NO_ID;
		n++;
	}
	if (4 + 8 * n > bufsize)
		return -1;
	qsort(v, n, sizeof(v[0]), by_tag_then_id);
	put_le32(out, XATTR_VERSION);
	for (i = 0; i < n; i++) {
		unsigned char *p = out + 4 + 8 * i;

		p[0] = v[i].tag;
		p[1] = v[i].tag >> 8;
		p[2] = v[i].perm;
		p[3] = v[i].perm >> 8;
		put_le32(p + 4, v[i].id);
	}
	return (long)(4 + 8 * n);
}
