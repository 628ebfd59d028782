/* lhvwork files: T threads create, stat and unlink files in one shared
 * directory (-d, default /tmp/lhvwork-files: tmpfs under the lhv /init).
 * Creating and removing names in one directory takes its inode lock and the
 * dentry-cache and inode-hash spinlocks, from every CPU. One operation =
 * create (O_EXCL), write 64 bytes, close, stat (size checked), unlink;
 * latency = its duration. The directory must be empty at the end. */
#define _GNU_SOURCE
#include "lhvwork.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_BYTES 64

static void filer(struct wl_worker *w)
{
	const char *dir = w->ctx;
	char path[4200], data[FILE_BYTES];
	struct stat st;

	memset(data, 'a' + w->id % 26, sizeof(data));
	while (wl_more(w)) {
		uint64_t t0 = wl_now_ns();
		int fd;

		snprintf(path, sizeof(path), "%s/t%d-%llu", dir, w->id, (unsigned long long)w->ops);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			wl_error(w, "create %s: %s", path, strerror(errno));
			wl_done(w, t0);
			continue;
		}
		if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data))
			wl_error(w, "write %s: %s", path, strerror(errno));
		close(fd);
		if (stat(path, &st) != 0)
			wl_error(w, "stat %s: %s", path, strerror(errno));
		else if (!S_ISREG(st.st_mode) || st.st_size != FILE_BYTES)
			wl_error(w, "stat %s: size %lld, expected %d", path, (long long)st.st_size, FILE_BYTES);
		if (unlink(path) != 0)
			wl_error(w, "unlink %s: %s", path, strerror(errno));
		wl_done(w, t0);
	}
}

/* Entries other than . and .. left in dir, or -1 if it cannot be read. */
static long leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

int lw_files(struct lw_args *a)
{
	struct wl_worker *ws;
	uint64_t ns;
	long left;
	bool made;
	char extra[32];

	if (strlen(a->dir) > 4000) {
		fprintf(stderr, "files: -d: path too long\n");
		return 2;
	}
	made = mkdir(a->dir, 0755) == 0;
	if (!made && errno != EEXIST) {
		fprintf(stderr, "files: mkdir %s: %s\n", a->dir, strerror(errno));
		return 1;
	}
	if ((left = leftovers(a->dir)) != 0) {
		fprintf(stderr, "files: %s is not an empty directory\n", a->dir);
		return 1;
	}
	wl_run(&a->o, filer, (void *)a->dir, &ws, &ns);
	left = leftovers(a->dir);
	if (left != 0)
		fprintf(stderr, "files: %ld entries left in %s\n", left, a->dir);
	if (made)
		rmdir(a->dir);
	snprintf(extra, sizeof(extra), "left=%ld", left);
	return wl_result(&a->o, ws, ns, left == 0, extra);
}
