/* SPDX-License-Identifier: GPL-2.0 */
/*
 * POSIX ACLs between the kernel's xattr form (system.posix_acl_access and
 * system.posix_acl_default, binary) and libarchive's ACL entries, which the
 * pax writer stores as SCHILY.acl.access/default text: the form GNU tar
 * (--acls) and bsdtar both write and read back.
 */
#ifndef KBOX_FS2TAR_ACL_H
#define KBOX_FS2TAR_ACL_H

#include <stddef.h>

#include <archive.h>
#include <archive_entry.h>

#include "owners.h"

#define ACL_XATTR_ACCESS	"system.posix_acl_access"
#define ACL_XATTR_DEFAULT	"system.posix_acl_default"

/* Largest xattr value we build: a header and this many entries. */
#define ACL_MAX_ENTRIES	1024

/*
 * Add the ACL held in an xattr value to e as ACL type (ARCHIVE_ENTRY_ACL_
 * TYPE_ACCESS or _DEFAULT).  Qualifiers stay numeric: GNU tar would map a
 * name to the extracting host's user, not the image's.  Call after
 * archive_entry_set_mode(): for an access ACL libarchive keeps the owner,
 * owning-group and other entries in the mode bits (so the header's group
 * bits show the owning-group entry, as bsdtar writes them; the mask entry
 * carries what ls shows).  0, or -1 when the value is malformed.
 */
int acl_xattr_to_entry(struct archive_entry *e, int type,
		       const void *value, size_t size);

/*
 * The xattr value for e's ACL of that type, in buf.  Names without a
 * numeric qualifier are looked up in the image's tables, then the host's.
 * Returns the size, 0 when the entry has no such ACL (or only the three
 * entries the mode already holds), -1 for a name nobody knows (*bad set to
 * it) or more than ACL_MAX_ENTRIES entries (*bad NULL).
 */
long acl_entry_to_xattr(struct archive_entry *e, int type,
			const struct owners *o, void *buf, size_t bufsize,
			const char **bad);

/* Room acl_entry_to_xattr may need. */
#define ACL_XATTR_MAX	(4 + 8 * ACL_MAX_ENTRIES)

#endif
