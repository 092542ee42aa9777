/*
 * file.h - replacing files atomically: master files and name-server
 * includes are written to a temporary file in the same folder, flushed to
 * disk, renamed over the old one, and the folder is synced, so a reader
 * (or a crash) sees either the old file or the new one, never a mix.
 */
#ifndef DNSAPI_ZONEGEN_FILE_H
#define DNSAPI_ZONEGEN_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes the body of a file to fp; returns DNSAPI_OK or a negative status
 * with errbuf filled. */
typedef int (*zonegen_file_fill_fn)(FILE *fp, void *ctx, char *errbuf, size_t errlen);

/* Replaces path with what fill writes. The temporary file is
 * "<folder>/.<base>.tmp.<pid>"; on any failure it is removed and path is
 * left as it was. Returns DNSAPI_OK, fill's status, or DNSAPI_EIO. */
int zonegen_file_replace(const char *path, zonegen_file_fill_fn fill, void *ctx, char *errbuf,
                         size_t errlen);

/* As zonegen_file_replace, with the new file's permissions (e.g. 0640 for
 * an include that holds a key). */
int zonegen_file_replace_mode(const char *path, int mode, zonegen_file_fill_fn fill, void *ctx,
                              char *errbuf, size_t errlen);

/* Batches of files, durable with one syncfs instead of an fsync each:
 * zonegen_file_stage writes the temporary file of path (its name into
 * tmp) without syncing; zonegen_file_commit syncs the file system of dir
 * once, renames every tmps[i] over paths[i] and syncs dir. On a failed
 * commit the temporary files are removed. */
int zonegen_file_stage(const char *path, zonegen_file_fill_fn fill, void *ctx, char *tmp,
                       size_t tmplen, char *errbuf, size_t errlen);
int zonegen_file_commit(const char *dir, char *const *tmps, char *const *paths, size_t n,
                        char *errbuf, size_t errlen);

/* Writes "<dir>/<zone without trailing dot>.zone" into out. Returns 0, or
 * -1 when it does not fit. */
int zonegen_file_zone_path(const char *dir, const char *zone, char *out, size_t outlen);

/* Removes path (absent is fine) and syncs its folder. Returns DNSAPI_OK or
 * DNSAPI_EIO. */
int zonegen_file_remove(const char *path, char *errbuf, size_t errlen);

/* True when base (a file name in the zone folder) is a temporary file left
 * by zonegen_file_replace whose writer is gone (killed mid-write): the pid
 * in its name is no longer alive. A live writer's file is not stale. */
int zonegen_file_is_stale_temp(const char *base);

#endif
