/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User and group names as the image itself defines them: its own
 * /etc/passwd and /etc/group, never the host's.
 */
#ifndef KBOX_FS2TAR_OWNERS_H
#define KBOX_FS2TAR_OWNERS_H

#include <stddef.h>

struct id_name {
	unsigned int id;
	unsigned int line;	/* first line wins among equal ids */
	char *name;
};

struct id_names {
	struct id_name *v;
	size_t n;
};

struct owners {
	struct id_names users, groups;
};

/*
 * Read etc/passwd and etc/group below rootfd (the image's root; symlinks
 * resolved inside the image).  Missing or unreadable files give no names.
 */
void owners_load(struct owners *o, long rootfd);
void owners_free(struct owners *o);

/* The name of an id, or NULL. */
const char *owners_name(const struct id_names *t, unsigned int id);
/* The id of a name: 0, or -1 when the image does not define it. */
int owners_id(const struct id_names *t, const char *name, unsigned int *id);

#endif
